import BusMessages
import Foundation
import Logging
import ServiceKit
import ZeroMQ

public struct BridgeConfiguration: Sendable {
    public var name: String
    public var workersEndpoint: String
    /// The Blenders this bridge holds, as (host, port) of their addons.
    public var addons: [(host: String, port: Int)]
    public var addonToken: String?
    public var heartbeat: Duration
    public var maxFrame: Int

    public init(name: String, workersEndpoint: String, addons: [(host: String, port: Int)],
                addonToken: String? = nil, heartbeat: Duration = .seconds(1), maxFrame: Int = AddonFraming.defaultMaxFrame) {
        self.name = name
        self.workersEndpoint = workersEndpoint
        self.addons = addons
        self.addonToken = addonToken
        self.heartbeat = heartbeat
        self.maxFrame = maxFrame
    }
}

/// Connects one or more Blenders (through their addons) to the session-broker.
///
/// - `broker` DEALER to the broker's workers ROUTER: READY listing the Blenders that have
///   answered our hello (sent again whenever that list changes), HEARTBEAT both ways,
///   DISCONNECT when no Blender is left (so the broker stops routing here at once).
/// - one long-lived TCP connection per Blender (`AddonLink`), reconnected with backoff.
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
    private var links: [AddonLink] = []
    private var registered = false

    public init(loop: SocketLoop, configuration: BridgeConfiguration) throws {
        self.configuration = configuration
        self.loop = loop
        logger = loop.logger
        broker = try Self.connectBroker(loop: loop, endpoint: configuration.workersEndpoint)
        loop.watch(broker) { [unowned self] in try self.drainBroker() }
        loop.every(configuration.heartbeat) { [unowned self] in self.heartbeatTick() }
        loop.onTeardown { [unowned self] in self.shutdown() }
        links = configuration.addons.map { addon in
            AddonLink(
                loop: loop, host: addon.host, port: addon.port, bridge: configuration.name,
                token: configuration.addonToken, maxFrame: configuration.maxFrame,
                onChange: { [unowned self] _ in self.instancesChanged() },
                onAnswer: { [unowned self] request, frame in self.answered(request, frame) },
                onEvent: { [unowned self] frame in self.addonEvent(frame) })
        }
    }

    private var liveness: UInt64 { configuration.heartbeat.nanoseconds * 3 }
    private var readyLinks: [AddonLink] { links.filter(\.isReady) }

    private static func connectBroker(loop: SocketLoop, endpoint: String) throws -> Socket {
        let socket = try loop.makeSocket(.dealer)
        // Long enough for a parting DISCONNECT to leave on shutdown, short enough not to hang.
        try socket.set(.linger(milliseconds: 500))
        try socket.set(.reconnectInterval(milliseconds: 100))
        try socket.set(.reconnectIntervalMax(milliseconds: 2000))
        try loop.connect(socket, to: endpoint)
        return socket
    }

    // MARK: Broker side

    private func sendToBroker(_ envelope: Envelope) {
        guard let data = try? codec.encode(envelope) else { return }
        _ = try? broker.send(data, dontWait: true)
    }

    /// READY with the Blenders that are up now, or DISCONNECT when there are none.
    private func instancesChanged() {
        let ready = readyLinks
        guard !ready.isEmpty else {
            if registered {
                sendToBroker(Envelope(kind: .disconnect, error: BusError(code: ErrorCode.blenderLost,
                    message: "blender-bridge \(configuration.name) has no live Blender"), source: configuration.name))
                registered = false
            }
            return
        }
        sendReady()
    }

    private func sendReady() {
        let ready = readyLinks
        guard !ready.isEmpty else { return }
        brokerExpiry = MonotonicClock.nanoseconds() + liveness
        registered = true
        sendToBroker(Envelope(kind: .ready, params: [
            "bridge": .string(configuration.name), "instances": .array(ready.map(\.announcement)),
        ], source: configuration.name))
        logger.info("registered with session-broker at \(configuration.workersEndpoint) with \(ready.count) Blender(s): \(ready.map(\.address).joined(separator: ", "))")
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
            case .request: route(message)
            case .disconnect:
                // The broker does not know us (it restarted, or judged us dead): register again.
                sendReady()
            default: break
            }
        }
    }

    /// The broker names the instance for session work; other requests go to the least busy one.
    private func route(_ request: Envelope) {
        let wanted = request.meta?["instance"]?.stringValue
        let link = wanted.map { id in readyLinks.first { $0.instanceID == id } }
            ?? readyLinks.min { $0.inFlight < $1.inFlight }
        guard let link else {
            sendToBroker(request.failure(BusError(code: ErrorCode.blenderLost,
                message: "blender-bridge \(configuration.name) has no live connection to \(wanted.map { "instance \($0)" } ?? "any Blender")",
                retryable: true), source: configuration.name))
            return
        }
        link.send(request)
    }

    private func answered(_ request: Envelope, _ frame: JSONValue) {
        let meta: JSONValue? = frame["session"].map { ["session": $0] }
        var answer: Envelope
        if frame["type"]?.stringValue == "reply" {
            answer = request.reply(frame["result"] ?? .null, source: configuration.name)
        } else {
            let raw = frame["error"]
            answer = request.failure(BusError(
                code: raw?["code"]?.stringValue ?? "command_failed",
                message: raw?["message"]?.stringValue ?? "Blender reported an error without a message",
                retryable: raw?["retryable"]?.boolValue ?? false,
                detail: raw?["traceback"]?.stringValue), source: configuration.name)
        }
        answer.meta = meta
        sendToBroker(answer)
    }

    /// Unsolicited news from an addon (a debounced checkpoint): the broker records it.
    private func addonEvent(_ frame: JSONValue) {
        sendToBroker(Envelope(kind: .event, op: frame["name"]?.stringValue, session: frame["session"]?.stringValue,
                              params: ["path": frame["path"] ?? .null], source: configuration.name))
    }

    private func heartbeatTick() {
        for link in links { link.heartbeat(liveness: liveness) }
        guard registered else { return }
        if MonotonicClock.nanoseconds() > brokerExpiry {
            logger.warning("no word from session-broker for \(Int(configuration.heartbeat.milliseconds) * 3) ms; reconnecting")
            reconnectBroker()
        } else {
            sendToBroker(Envelope(kind: .heartbeat, source: configuration.name))
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

    private func shutdown() {
        if registered {
            sendToBroker(Envelope(kind: .disconnect,
                error: BusError(code: ErrorCode.shuttingDown, message: "blender-bridge is shutting down"),
                source: configuration.name))
        }
    }
}
