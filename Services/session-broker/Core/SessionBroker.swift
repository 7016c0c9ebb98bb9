import BusMessages
import Foundation
import Logging
import ServiceKit
import ZeroMQ

/// Where the broker listens and how fast it judges liveness.
public struct BrokerConfiguration: Sendable {
    public var clientsEndpoint: String
    public var workersEndpoint: String
    public var eventsInEndpoint: String
    public var eventsOutEndpoint: String
    public var heartbeat: Duration

    public init(clientsEndpoint: String, workersEndpoint: String, eventsInEndpoint: String,
                eventsOutEndpoint: String, heartbeat: Duration = .seconds(1)) {
        self.clientsEndpoint = clientsEndpoint
        self.workersEndpoint = workersEndpoint
        self.eventsInEndpoint = eventsInEndpoint
        self.eventsOutEndpoint = eventsOutEndpoint
        self.heartbeat = heartbeat
    }
}

/// Routes requests from MCP fronts to Blender bridges, Majordomo style (ZeroMQ RFC 7):
///
/// - `clients` ROUTER: mcp-front DEALERs send requests and get replies, matched by id.
/// - `workers` ROUTER: blender-bridge DEALERs say READY with their Blender instances, exchange
///   HEARTBEATs, and answer the requests forwarded to them. ROUTER_MANDATORY makes a send to a
///   vanished bridge fail at once instead of silently disappearing.
/// - the event proxy (XSUB/XPUB) every service publishes through.
///
/// Loop-confined: built and used on the broker's `SocketLoop`.
public final class SessionBroker {
    private struct InFlight {
        let clientRoute: [Data]
        let request: Envelope
        let bridge: Data
        let started: UInt64
    }

    public let source = "session-broker/\(instanceTag())"
    private let configuration: BrokerConfiguration
    private let logger: Logger
    private let clients: Socket
    private let workers: Socket
    private let proxy: EventProxy
    private let events: EventPublisher
    private let codec = EnvelopeCodec()
    private var registry: BridgeRegistry
    private var inFlight: [UInt64: InFlight] = [:]
    private var nextRequestID: UInt64 = 0

    public init(loop: SocketLoop, configuration: BrokerConfiguration) throws {
        self.configuration = configuration
        logger = loop.logger
        registry = BridgeRegistry(heartbeat: configuration.heartbeat)

        proxy = try EventProxy(
            loop: loop, inputEndpoint: configuration.eventsInEndpoint, outputEndpoint: configuration.eventsOutEndpoint)
        events = try EventPublisher(loop: loop, endpoint: EventProxy.localInput, source: source)

        clients = try loop.makeSocket(.router)
        try clients.set(.maxMessageSize(Int64(EnvelopeCodec.defaultLimit)))
        try clients.bind(configuration.clientsEndpoint)

        workers = try loop.makeSocket(.router)
        try workers.set(.routerMandatory(true))
        try workers.set(.maxMessageSize(Int64(EnvelopeCodec.defaultLimit)))
        try workers.bind(configuration.workersEndpoint)

        loop.watch(clients) { [unowned self] in try self.drainClients() }
        loop.watch(workers) { [unowned self] in try self.drainWorkers() }
        loop.every(configuration.heartbeat) { [unowned self] in self.heartbeatTick() }
        loop.onTeardown { [unowned self] in self.failAll(reason: "session-broker is shutting down") }
        logger.info("session-broker listening: clients \(configuration.clientsEndpoint), workers \(configuration.workersEndpoint), events \(configuration.eventsInEndpoint) → \(configuration.eventsOutEndpoint)")
    }

    // MARK: Clients

    private func drainClients() throws {
        while let frames = try clients.receive(dontWait: true) {
            guard frames.count >= 2, let payload = frames.last else { continue }
            handleClient(route: Array(frames.dropLast()), payload: payload)
        }
    }

    private func handleClient(route: [Data], payload: Data) {
        let request: Envelope
        do {
            request = try codec.decode(payload)
        } catch {
            let id = EnvelopeCodec.salvageID(from: payload) ?? ""
            answer(route, Envelope(id: id, kind: .error, error: error.busError, source: source))
            return
        }
        guard request.kind == .request, let op = request.op else {
            answer(route, request.failure(BusError(code: ErrorCode.badMessage,
                message: "clients send kind 'request' with an 'op'; got kind '\(request.kind.rawValue)'\(request.op == nil ? " without an op" : "")"),
                source: source))
            return
        }
        if op == Op.brokerHealth || op == Op.health {
            answer(route, request.reply(health(), source: source))
            return
        }
        dispatch(request, route: route)
    }

    private func dispatch(_ request: Envelope, route: [Data]) {
        while let bridge = registry.pick() {
            nextRequestID += 1
            let id = nextRequestID
            var forwarded = request
            forwarded.id = String(id)
            do {
                try workers.send([bridge, try codec.encode(forwarded)], dontWait: true)
            } catch let error as ZeroMQError where error.isHostUnreachable || error.wouldBlock {
                // The bridge's connection is gone (or wedged): forget it and try the next one.
                dropBridge(bridge, reason: "its connection closed")
                continue
            } catch {
                answer(route, request.failure(BusError(code: ErrorCode.badMessage,
                    message: "could not forward \(request.op ?? "?"): \(error)"), source: source))
                return
            }
            registry.assign(id, to: bridge)
            inFlight[id] = InFlight(clientRoute: route, request: request, bridge: bridge, started: MonotonicClock.nanoseconds())
            return
        }
        answer(route, request.failure(BusError(
            code: ErrorCode.noBlender,
            message: "No Blender available: no blender-bridge with a live Blender is registered at the session-broker (workers endpoint \(configuration.workersEndpoint)). Start the system with `bmcp up`, or start `blender-bridge` beside a Blender running the addon.",
            retryable: true), source: source))
    }

    private func answer(_ route: [Data], _ envelope: Envelope) {
        guard let data = try? codec.encode(envelope) else { return }
        // A client that left no longer has a queue; dropping its answer is all we can do.
        _ = try? clients.send(route + [data], dontWait: true)
    }

    // MARK: Workers

    private func drainWorkers() throws {
        while let frames = try workers.receive(dontWait: true) {
            guard frames.count == 2 else { continue }
            handleWorker(frames[0], payload: frames[1])
        }
    }

    private func handleWorker(_ bridge: Data, payload: Data) {
        let message: Envelope
        do {
            message = try codec.decode(payload)
        } catch {
            logger.warning("bridge sent an unreadable message: \(error)")
            return
        }
        switch message.kind {
        case .ready:
            let name = message.params?["bridge"]?.stringValue ?? message.source ?? "bridge"
            let instances = (message.params?["instances"]?.arrayValue ?? []).map { BlenderInstance($0, bridge: name) }
            if registry.register(bridge, name: name, instances: instances) {
                logger.info("bridge \(name) joined with \(instances.count) Blender instance(s)")
                events.publish(EventName.bridgeJoined, payload: ["bridge": .string(name),
                    "instances": .array(instances.map(\.json))])
            }
        case .heartbeat:
            if !registry.touch(bridge) { tellToReregister(bridge) }
        case .reply, .error:
            guard registry.touch(bridge) else { tellToReregister(bridge); return }
            complete(message, from: bridge)
        case .disconnect:
            dropBridge(bridge, reason: message.error?.message ?? "it disconnected")
        case .request, .event:
            logger.warning("bridge sent unexpected kind '\(message.kind.rawValue)'")
        }
    }

    /// An unknown bridge (the broker restarted, or it was declared dead) must say READY again.
    private func tellToReregister(_ bridge: Data) {
        let message = Envelope(kind: .disconnect, source: source)
        if let data = try? codec.encode(message) { _ = try? workers.send([bridge, data], dontWait: true) }
    }

    private func complete(_ message: Envelope, from bridge: Data) {
        guard let id = UInt64(message.id), let pending = inFlight[id], pending.bridge == bridge else {
            logger.warning("bridge answered unknown or foreign request \(message.id); ignored")
            return
        }
        inFlight[id] = nil
        registry.complete(id, on: bridge)
        var answer = message
        answer.id = pending.request.id
        answer.op = pending.request.op
        answer.session = pending.request.session
        self.answer(pending.clientRoute, answer)
    }

    private func dropBridge(_ bridge: Data, reason: String) {
        guard let record = registry.remove(bridge) else { return }
        failInFlight(of: record, reason: "blender-bridge \(record.name) was lost (\(reason))")
    }

    private func failInFlight(of record: BridgeRecord, reason: String) {
        logger.warning("\(reason); failing \(record.inFlight.count) in-flight request(s)")
        events.publish(EventName.bridgeLost, payload: ["bridge": .string(record.name), "reason": .string(reason)])
        for id in record.inFlight.sorted() {
            guard let pending = inFlight.removeValue(forKey: id) else { continue }
            answer(pending.clientRoute, pending.request.failure(BusError(
                code: ErrorCode.bridgeLost,
                message: "\(reason) while running \(pending.request.op ?? "the command"); it may or may not have taken effect in Blender. Retry once a Blender is available again.",
                retryable: true), source: source))
        }
    }

    private func failAll(reason: String) {
        for (_, pending) in inFlight {
            answer(pending.clientRoute, pending.request.failure(BusError(
                code: ErrorCode.shuttingDown, message: reason, retryable: true), source: source))
        }
        inFlight.removeAll()
    }

    // MARK: Heartbeats

    private func heartbeatTick() {
        let beat = Envelope(kind: .heartbeat, source: source)
        let data = try? codec.encode(beat)
        for dead in registry.expire() {
            failInFlight(of: dead, reason: "blender-bridge \(dead.name) missed \(registry.liveness) heartbeats")
        }
        for bridge in registry.bridges.keys {
            do {
                if let data { try workers.send([bridge, data], dontWait: true) }
            } catch {
                dropBridge(bridge, reason: "its connection closed")
            }
        }
    }

    private func health() -> JSONValue {
        ["status": "ok", "source": .string(source), "bridges": registry.summary(),
         "in_flight": .int(Int64(inFlight.count)), "zeromq": .string(zeroMQVersion)]
    }
}
