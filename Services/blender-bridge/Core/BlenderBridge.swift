import BusMessages
import Foundation
import Logging
import ServiceKit
import ZeroMQ

public struct BridgeConfiguration: Sendable {
    public var name: String
    public var workersEndpoint: String
    public var addonHost: String
    public var addonPort: Int
    public var addonToken: String?
    public var heartbeat: Duration
    public var maxFrame: Int

    public init(name: String, workersEndpoint: String, addonHost: String, addonPort: Int,
                addonToken: String? = nil, heartbeat: Duration = .seconds(1), maxFrame: Int = AddonFraming.defaultMaxFrame) {
        self.name = name
        self.workersEndpoint = workersEndpoint
        self.addonHost = addonHost
        self.addonPort = addonPort
        self.addonToken = addonToken
        self.heartbeat = heartbeat
        self.maxFrame = maxFrame
    }
}

/// Connects one Blender (through its addon) to the session-broker.
///
/// - `broker` DEALER to the broker's workers ROUTER: READY once Blender has answered our
///   hello, HEARTBEAT both ways, DISCONNECT when Blender is lost (so the broker stops routing
///   here at once rather than after the heartbeat timeout).
/// - one long-lived TCP connection to the addon, reconnected with backoff.
///
/// Command events are published by the broker, which sees every command and keeps their history.
///
/// Loop-confined.
public final class BlenderBridge {
    private let configuration: BridgeConfiguration
    private let loop: SocketLoop
    private let logger: Logger
    private let codec = EnvelopeCodec()
    private var broker: Socket
    private var brokerExpiry: UInt64 = 0
    private var addon: AddonConnection?
    private var addonReady = false
    private var addonLastHeard: UInt64 = 0
    private var blenderVersion = "unknown"
    /// Requests sent to the addon, by the addon-side id.
    private var pending: [String: Envelope] = [:]
    private var nextAddonID: UInt64 = 0
    private var backoff: Duration = .milliseconds(100)

    public init(loop: SocketLoop, configuration: BridgeConfiguration) throws {
        self.configuration = configuration
        self.loop = loop
        logger = loop.logger
        broker = try Self.connectBroker(loop: loop, endpoint: configuration.workersEndpoint)
        loop.watch(broker) { [unowned self] in try self.drainBroker() }
        loop.every(configuration.heartbeat) { [unowned self] in self.heartbeatTick() }
        loop.onTeardown { [unowned self] in self.shutdown() }
        connectAddon()
    }

    private var liveness: UInt64 { configuration.heartbeat.nanoseconds * 3 }

    private static func connectBroker(loop: SocketLoop, endpoint: String) throws -> Socket {
        let socket = try loop.makeSocket(.dealer)
        // Long enough for a parting DISCONNECT to leave on shutdown, short enough not to hang.
        try socket.set(.linger(milliseconds: 500))
        try socket.set(.reconnectInterval(milliseconds: 100))
        try socket.set(.reconnectIntervalMax(milliseconds: 2000))
        try socket.connect(endpoint)
        return socket
    }

    // MARK: Broker side

    private func sendToBroker(_ envelope: Envelope) {
        guard let data = try? codec.encode(envelope) else { return }
        _ = try? broker.send(data, dontWait: true)
    }

    private func sendReady() {
        brokerExpiry = MonotonicClock.nanoseconds() + liveness
        sendToBroker(Envelope(kind: .ready, params: [
            "bridge": .string(configuration.name),
            "instances": [[
                "id": .string("\(configuration.name)/\(addon?.address ?? "")"),
                "blender_version": .string(blenderVersion),
                "address": .string(addon?.address ?? ""),
                "capacity": 1,
            ]],
        ], source: configuration.name))
        logger.info("registered with session-broker at \(configuration.workersEndpoint) (Blender \(blenderVersion))")
    }

    private func drainBroker() throws {
        while let frames = try broker.receive(dontWait: true) {
            guard let payload = frames.last else { continue }
            brokerExpiry = MonotonicClock.nanoseconds() + liveness
            let message: Envelope
            do {
                message = try codec.decode(payload)
            } catch {
                logger.warning("unreadable message from the broker: \(error)")
                continue
            }
            switch message.kind {
            case .request: forwardToAddon(message)
            case .disconnect:
                // The broker does not know us (it restarted, or judged us dead): register again.
                if addonReady { sendReady() }
            default: break
            }
        }
    }

    private func forwardToAddon(_ request: Envelope) {
        guard addonReady, let addon else {
            sendToBroker(request.failure(BusError(code: ErrorCode.blenderLost,
                message: "blender-bridge \(configuration.name) has no live connection to Blender at \(configuration.addonHost):\(configuration.addonPort)",
                retryable: true), source: configuration.name))
            return
        }
        nextAddonID += 1
        let id = String(nextAddonID)
        pending[id] = request
        var frame: [String: JSONValue] = ["type": "request", "id": .string(id), "op": .string(request.op ?? ""),
                                          "params": request.params ?? [:]]
        // The broker's session context tells the addon which session's scene to work in.
        if let context = request.meta?["session_context"] { frame["session"] = context }
        addon.send(.object(frame))
    }

    private func heartbeatTick() {
        let now = MonotonicClock.nanoseconds()
        if addonReady {
            if now > brokerExpiry {
                logger.warning("no word from session-broker for \(Int(configuration.heartbeat.milliseconds) * 3) ms; reconnecting")
                reconnectBroker()
            } else {
                sendToBroker(Envelope(kind: .heartbeat, source: configuration.name))
            }
            addon?.send(["type": "ping", "id": .string("hb")])
            // The addon answers pings from its network thread, so silence means it is gone.
            if pending.isEmpty, now - addonLastHeard > max(liveness, 10_000_000_000) {
                addon?.close(reason: "the addon at \(addon?.address ?? "?") stopped answering pings")
            }
        }
    }

    private func reconnectBroker() {
        loop.unwatch(broker)
        broker.close()
        do {
            broker = try Self.connectBroker(loop: loop, endpoint: configuration.workersEndpoint)
            loop.watch(broker) { [unowned self] in try self.drainBroker() }
            sendReady()
        } catch {
            logger.error("cannot reconnect to session-broker: \(error)")
        }
    }

    // MARK: Addon side

    private func connectAddon() {
        addon = AddonConnection(
            loop: loop, host: configuration.addonHost, port: configuration.addonPort,
            maxFrame: configuration.maxFrame
        ) { [unowned self] event in self.addonEvent(event) }
    }

    private func addonEvent(_ event: AddonConnection.Event) {
        addonLastHeard = MonotonicClock.nanoseconds()
        switch event {
        case .opened:
            var hello: JSONValue = ["type": "hello", "protocol": 2, "client": .string(configuration.name)]
            if let token = configuration.addonToken, case .object(var fields) = hello {
                fields["token"] = .string(token)
                hello = .object(fields)
            }
            addon?.send(hello)
        case .frame(let frame):
            addonFrame(frame)
        case .closed(let reason):
            addonLost(reason)
        }
    }

    private func addonFrame(_ frame: JSONValue) {
        switch frame["type"]?.stringValue {
        case "hello":
            addonReady = true
            backoff = .milliseconds(100)
            blenderVersion = frame["blender_version"]?.stringValue ?? "unknown"
            logger.info("connected to the addon at \(addon?.address ?? "?") (Blender \(blenderVersion), \(frame["mode"]?.stringValue ?? "?") mode)")
            sendReady()
        case "reply", "error":
            guard let id = frame["id"]?.stringValue, let call = pending.removeValue(forKey: id) else {
                if let error = frame["error"] {
                    logger.error("the addon refused the connection or a frame: \(error["code"]?.stringValue ?? "?"): \(error["message"]?.stringValue ?? "")")
                }
                return
            }
            finish(call, frame: frame)
        case "pong":
            break
        case "event":
            // Unsolicited news from the addon (a debounced checkpoint): the broker records it.
            sendToBroker(Envelope(kind: .event, op: frame["name"]?.stringValue, session: frame["session"]?.stringValue,
                                  params: ["path": frame["path"] ?? .null], source: configuration.name))
        default:
            logger.warning("unexpected frame type from the addon: \(frame["type"]?.description ?? "none")")
        }
    }

    private func finish(_ request: Envelope, frame: JSONValue) {
        let meta: JSONValue? = frame["session"].map { ["session": $0] }
        if frame["type"]?.stringValue == "reply" {
            let result = frame["result"] ?? .null
            var reply = request.reply(result, source: configuration.name)
            reply.meta = meta
            sendToBroker(reply)
        } else {
            let raw = frame["error"]
            let error = BusError(
                code: raw?["code"]?.stringValue ?? "command_failed",
                message: raw?["message"]?.stringValue ?? "Blender reported an error without a message",
                detail: raw?["traceback"]?.stringValue)
            var failure = request.failure(error, source: configuration.name)
            failure.meta = meta
            sendToBroker(failure)
        }
    }

    private func addonLost(_ reason: String) {
        let wasReady = addonReady
        addonReady = false
        addon = nil
        for (_, request) in pending.sorted(by: { $0.key < $1.key }) {
            sendToBroker(request.failure(BusError(code: ErrorCode.blenderLost,
                message: "Blender was lost while running \(request.op ?? "the command") (\(reason)); it may or may not have taken effect.",
                retryable: true), source: configuration.name))
        }
        pending.removeAll()
        if wasReady {
            logger.warning("\(reason); telling the broker and reconnecting")
            sendToBroker(Envelope(kind: .disconnect, error: BusError(code: ErrorCode.blenderLost, message: reason),
                                  source: configuration.name))
        } else {
            logger.notice("\(reason); retrying in \(Int(backoff.milliseconds)) ms")
        }
        loop.after(backoff) { [unowned self] in self.connectAddon() }
        backoff = min(backoff * 2, .seconds(5))
    }

    private func shutdown() {
        if addonReady {
            sendToBroker(Envelope(kind: .disconnect,
                error: BusError(code: ErrorCode.shuttingDown, message: "blender-bridge is shutting down"),
                source: configuration.name))
        }
    }
}
