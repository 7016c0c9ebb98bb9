import BusMessages
import Foundation
import Logging
import ServiceKit

/// One Blender the bridge holds: its long-lived addon connection (hello, pings, reconnects
/// with backoff) and the requests in flight on it.
///
/// Loop-confined.
final class AddonLink {
    enum Change {
        case ready
        case lost(String)
    }

    let host: String
    let port: Int
    let instanceID: String
    private let loop: SocketLoop
    private let logger: Logger
    private let clientName: String
    private let token: String?
    private let maxFrame: Int
    private let onChange: (Change) -> Void
    private let onAnswer: (Envelope, JSONValue) -> Void
    private let onEvent: (JSONValue) -> Void
    private var connection: AddonConnection?
    private(set) var isReady = false
    private(set) var blenderVersion = "unknown"
    /// From the addon's hello: "headless" or "gui", and a GUI Blender's home session (the
    /// user's own scene) with its name, so the broker can route clients to what the user sees.
    private var mode = "unknown"
    private var homeSession: String?
    private var homeName: String?
    /// The Blender process behind the address (the addon's hello): a Blender restarted on the
    /// same address is a new boot, and the broker then knows its scenes are gone.
    private var boot: String?
    private var lastHeard: UInt64 = 0
    /// Requests sent to the addon, by the addon-side id.
    private var pending: [String: Envelope] = [:]
    private var nextID: UInt64 = 0
    private var backoff: Duration = .milliseconds(100)
    /// This connection's handshake: our nonce, and whether the addon proved the token.
    private var clientNonce = ""
    private var addonProved = false

    init(loop: SocketLoop, host: String, port: Int, bridge: String, token: String?, maxFrame: Int,
         onChange: @escaping (Change) -> Void, onAnswer: @escaping (Envelope, JSONValue) -> Void,
         onEvent: @escaping (JSONValue) -> Void) {
        self.loop = loop
        logger = loop.logger
        self.host = host
        self.port = port
        instanceID = "\(bridge)/\(host):\(port)"
        clientName = bridge
        self.token = token
        self.maxFrame = maxFrame
        self.onChange = onChange
        self.onAnswer = onAnswer
        self.onEvent = onEvent
        connect()
    }

    var address: String { "\(host):\(port)" }
    var inFlight: Int { pending.count }

    var announcement: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(instanceID), "blender_version": .string(blenderVersion),
                                           "address": .string(address), "capacity": 1, "mode": .string(mode)]
        if let homeSession { fields["home_session"] = .string(homeSession) }
        if let homeName { fields["home_name"] = .string(homeName) }
        if let boot { fields["boot"] = .string(boot) }
        return .object(fields)
    }

    /// Sends `request` to Blender; its answer comes back through `onAnswer`.
    func send(_ request: Envelope) {
        nextID += 1
        let id = String(nextID)
        var frame: [String: JSONValue] = ["type": "request", "id": .string(id), "op": .string(request.op ?? ""),
                                          "params": request.params ?? [:]]
        // The broker's session context tells the addon which session's scene to work in.
        if let context = request.meta?["session_context"] { frame["session"] = context }
        // The MCP tool behind the op names the GUI's undo step ("MCP: create_object").
        if let tool = request.meta?["tool"] { frame["tool"] = tool }
        let encoded = AddonFraming.encode(.object(frame))
        // Refused here, not by the addon: a frame over its limit would cost the whole link.
        guard encoded.count - 4 <= maxFrame else {
            onAnswer(request, ["type": "error", "error": [
                "code": .string(ErrorCode.tooLarge),
                "message": .string("the request for \(request.op ?? "the command") is \(encoded.count - 4) bytes, over the limit of \(maxFrame) bytes (\(MessageLimit.environment)); nothing was sent to Blender"),
                "retryable": false]])
            return
        }
        pending[id] = request
        connection?.send(frame: encoded)
    }

    /// Pings; a Blender silent for `liveness` while nothing runs on it is taken for gone (the
    /// addon answers pings from its network thread, even during a long command).
    func heartbeat(liveness: UInt64) {
        guard isReady else { return }
        connection?.send(["type": "ping", "id": "hb"])
        if pending.isEmpty, MonotonicClock.nanoseconds() - lastHeard > max(liveness, 10_000_000_000) {
            connection?.close(reason: "the addon at \(address) stopped answering pings")
        }
    }

    func close() {
        connection?.close(reason: "the bridge is shutting down")
    }

    // MARK: Connection

    private func connect() {
        connection = AddonConnection(loop: loop, host: host, port: port, maxFrame: maxFrame) { [unowned self] event in
            self.connectionEvent(event)
        }
    }

    private func connectionEvent(_ event: AddonConnection.Event) {
        lastHeard = MonotonicClock.nanoseconds()
        switch event {
        case .opened:
            // The token itself is never sent: both sides prove they hold it (AddonHandshake).
            clientNonce = AddonHandshake.nonce()
            addonProved = false
            connection?.send(["type": "hello", "protocol": 2, "client": .string(clientName), "nonce": .string(clientNonce)])
        case .frame(let frame):
            received(frame)
        case .closed(let reason):
            lost(reason)
        }
    }

    private func received(_ frame: JSONValue) {
        switch frame["type"]?.stringValue {
        case "challenge":
            answerChallenge(frame)
        case "hello":
            if token != nil, !addonProved {
                refuse("the addon at \(address) answered without proving it holds the token (is something else listening on its port?); nothing was sent to it")
                return
            }
            isReady = true
            backoff = .milliseconds(100)
            blenderVersion = frame["blender_version"]?.stringValue ?? "unknown"
            mode = frame["mode"]?.stringValue ?? "unknown"
            homeSession = frame["home_session"]?.stringValue
            homeName = frame["home_name"]?.stringValue
            boot = frame["boot"]?.stringValue
            logger.info("connected to the addon at \(address) (Blender \(blenderVersion), \(frame["mode"]?.stringValue ?? "?") mode)")
            onChange(.ready)
        case "reply", "error":
            guard let id = frame["id"]?.stringValue, let request = pending.removeValue(forKey: id) else {
                if let error = frame["error"] {
                    logger.error("the addon at \(address) refused the connection or a frame: \(error["code"]?.stringValue ?? "?"): \(error["message"]?.stringValue ?? "")")
                }
                return
            }
            onAnswer(request, frame)
        case "pong":
            break
        case "event":
            onEvent(frame)
        default:
            logger.warning("unexpected frame type from the addon at \(address): \(frame["type"]?.description ?? "none")")
        }
    }

    /// The addon proved the token over our nonce; prove it back over its nonce.
    private func answerChallenge(_ frame: JSONValue) {
        guard let token else {
            refuse("the addon at \(address) requires a token: set BMCP_ADDON_TOKEN, or the token file (\(Settings.addonTokenFile.flag))")
            return
        }
        guard let serverNonce = frame["nonce"]?.stringValue, let proof = frame["proof"]?.stringValue,
              AddonHandshake.isNonce(serverNonce),
              AddonHandshake.verifyAddonProof(proof, token: token, clientNonce: clientNonce, serverNonce: serverNonce, port: port) else {
            refuse("the addon at \(address) could not prove it holds the token: refusing it (is something else listening on its port, or is its token different?)")
            return
        }
        addonProved = true
        connection?.send(["type": "auth", "proof": .string(AddonHandshake.bridgeProof(token: token, clientNonce: clientNonce, serverNonce: serverNonce, port: port))])
    }

    private func refuse(_ reason: String) {
        logger.error("\(reason)")
        connection?.close(reason: reason)
    }

    private func lost(_ reason: String) {
        let wasReady = isReady
        isReady = false
        connection = nil
        for (_, request) in pending.sorted(by: { $0.key < $1.key }) {
            onAnswer(request, ["type": "error", "error": [
                "code": .string(ErrorCode.blenderLost),
                "message": .string("Blender was lost while running \(request.op ?? "the command") (\(reason)); it may or may not have taken effect."),
                "retryable": true]])
        }
        pending.removeAll()
        if wasReady {
            logger.warning("\(reason); reconnecting")
            onChange(.lost(reason))
        } else {
            logger.notice("\(reason); retrying in \(Int(backoff.milliseconds)) ms")
        }
        loop.after(backoff) { [unowned self] in self.connect() }
        backoff = min(backoff * 2, .seconds(5))
    }
}
