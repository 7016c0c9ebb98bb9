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
    /// Sessions, checkpoints and the registry live under here.
    public var dataDirectory: URL
    /// A session unused this long is checkpointed and released from Blender.
    public var idleTimeout: Duration
    /// How long a client's attachment to a session holds without any command from it.
    public var ownerLease: Duration
    /// `safe`: journal entries are fsynced before the answer; `fast`: left to the OS (a crash of
    /// the broker loses nothing, a crash of the machine may lose the last entries).
    public var durableJournal: Bool
    /// BMCP_EVENT_HISTORY_EVENTS and BMCP_EVENT_HISTORY_BYTES: the events kept for subscribers
    /// that missed some (`events.replay`).
    public var historyEvents = Settings.eventHistoryEvents.defaultCount
    public var historyBytes = Settings.eventHistoryBytes.defaultCount

    public init(clientsEndpoint: String, workersEndpoint: String, eventsInEndpoint: String,
                eventsOutEndpoint: String, heartbeat: Duration = .seconds(1), dataDirectory: URL,
                idleTimeout: Duration = .seconds(1800), ownerLease: Duration = .seconds(300), durableJournal: Bool = false) {
        self.durableJournal = durableJournal
        self.clientsEndpoint = clientsEndpoint
        self.workersEndpoint = workersEndpoint
        self.eventsInEndpoint = eventsInEndpoint
        self.eventsOutEndpoint = eventsOutEndpoint
        self.heartbeat = heartbeat
        self.dataDirectory = dataDirectory
        self.idleTimeout = idleTimeout
        self.ownerLease = ownerLease
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
/// Sessions (`SessionRegistry`) decide which instance a request goes to; see
/// SessionRouting.swift and SessionOps.swift.
///
/// Loop-confined: built and used on the broker's `SocketLoop`.
public final class SessionBroker {
    /// Who waits for a forwarded request's answer.
    enum Requester {
        case client([Data])
        case broker((Envelope) -> Void)
    }

    struct InFlight {
        let requester: Requester
        let request: Envelope
        let bridge: Data
        let instance: String?
        /// Facts to add to the reply's meta (e.g. the session was re-homed).
        let note: JSONValue?
        /// The journal number this command gets if it succeeds (mutating session commands).
        var journalSeq: Int? = nil
        let started = MonotonicClock.nanoseconds()
    }

    public let source = "session-broker/\(instanceTag())"
    let configuration: BrokerConfiguration
    let logger: Logger
    let loop: SocketLoop
    private let clients: Socket
    private let workers: Socket
    private let proxy: EventProxy
    let events: EventPublisher
    private let codec = EnvelopeCodec()
    var bridges: BridgeRegistry
    let sessions: SessionRegistry
    var inFlight: [UInt64: InFlight] = [:]
    private var nextRequestID: UInt64 = 0
    /// The session whose scene each instance has loaded (the last one routed there).
    var resident: [String: String] = [:]
    /// Requests for sessions whose instance has not re-registered since the broker started.
    var held: [(request: Envelope, route: [Data], until: UInt64)] = []
    /// Sessions being restored (checkpoint, then journal replay): their requests wait here.
    var restoring: [String: RestoreAttempt] = [:]
    var nextRestoreToken = 0
    /// Recent checkpoints' journal numbers per session, newest last, for pruning the journal.
    var checkpointSeqs: [String: [Int]] = [:]
    let startedAt = MonotonicClock.nanoseconds()

    public init(loop: SocketLoop, configuration: BrokerConfiguration) throws {
        self.configuration = configuration
        self.loop = loop
        logger = loop.logger
        bridges = BridgeRegistry(heartbeat: configuration.heartbeat)
        sessions = try SessionRegistry(dataDirectory: configuration.dataDirectory, durable: configuration.durableJournal)

        proxy = try EventProxy(
            loop: loop, inputEndpoint: configuration.eventsInEndpoint, outputEndpoint: configuration.eventsOutEndpoint,
            brokerSourcePrefix: "session-broker/")
        events = try EventPublisher(loop: loop, endpoint: EventProxy.localInput, source: source, history: EventHistory(maxEvents: configuration.historyEvents, maxBytes: configuration.historyBytes))

        clients = try loop.makeSocket(.router)
        try clients.set(.maxMessageSize(Int64(EnvelopeCodec.defaultLimit)))
        try loop.bind(clients, to: configuration.clientsEndpoint)

        workers = try loop.makeSocket(.router)
        try workers.set(.routerMandatory(true))
        try workers.set(.maxMessageSize(Int64(EnvelopeCodec.defaultLimit)))
        try loop.bind(workers, to: configuration.workersEndpoint)

        loop.watch(clients) { [unowned self] in try self.drainClients() }
        loop.watch(workers) { [unowned self] in try self.drainWorkers() }
        loop.every(configuration.heartbeat) { [unowned self] in self.heartbeatTick() }
        loop.every(min(configuration.idleTimeout / 4, .seconds(5))) { [unowned self] in self.sweepIdleSessions() }
        loop.every(.seconds(1)) { [unowned self] in
            self.flushRegistry()
            self.events.publishHead()
        }
        loop.onTeardown { [unowned self] in
            self.failAll(reason: "session-broker is shutting down")
            self.flushRegistry()
        }
        logger.info("session registry: \(sessions.count) session(s) under \(configuration.dataDirectory.path)")
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
        if handleSessionOp(request, route: route) || handleHomeOp(request, route: route) { return }
        if op == Op.eventsReplay {
            answer(route, replay(request))
            return
        }
        dispatch(request, from: route)
    }

    var noBlender: BusError {
        BusError(
            code: ErrorCode.noBlender,
            message: "No Blender available: no blender-bridge with a live Blender is registered at the session-broker (workers endpoint \(configuration.workersEndpoint)). Start the system with `bmcp up`, or start `blender-bridge` beside a Blender running the addon.",
            retryable: true)
    }

    /// Sends `request` to `bridge`; false when that bridge turned out to be gone (it is
    /// dropped, and the caller may pick another).
    func forward(_ request: Envelope, to bridge: Data, instance: String?, meta: JSONValue?, note: JSONValue?,
                 requester: Requester, journalSeq: Int? = nil) -> Bool {
        nextRequestID += 1
        let id = nextRequestID
        var forwarded = request
        forwarded.id = String(id)
        // The bridge may hold several Blenders: tell it which one.
        var fields = meta?.objectValue ?? [:]
        if let instance { fields["instance"] = .string(instance) }
        // The MCP tool behind the op: a GUI Blender names its undo step after it.
        if let tool = request.meta?["tool"] { fields["tool"] = tool }
        forwarded.meta = fields.isEmpty ? nil : .object(fields)
        do {
            try workers.send([bridge, try codec.encode(forwarded)], dontWait: true)
        } catch let error as ZeroMQError where error.isHostUnreachable || error.wouldBlock {
            // The bridge's connection is gone (or wedged): forget it.
            dropBridge(bridge, reason: "its connection closed")
            return false
        } catch {
            respond(requester, request.failure(BusError(code: ErrorCode.badMessage,
                message: "could not forward \(request.op ?? "?"): \(error)"), source: source))
            return true
        }
        bridges.assign(id, to: bridge)
        inFlight[id] = InFlight(requester: requester, request: request, bridge: bridge, instance: instance, note: note,
                                journalSeq: journalSeq)
        return true
    }

    func respond(_ requester: Requester, _ envelope: Envelope) {
        switch requester {
        case .client(let route): answer(route, envelope)
        case .broker(let completion): completion(envelope)
        }
    }

    func answer(_ route: [Data], _ envelope: Envelope) {
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
            let before = bridges.bridges[bridge]?.instances.map(\.id) ?? []
            supersede(for: bridge, name: name, with: instances)
            if bridges.register(bridge, name: name, instances: instances) {
                logger.info("bridge \(name) joined with \(instances.count) Blender instance(s)")
                events.publish(EventName.bridgeJoined, payload: ["bridge": .string(name),
                    "instances": .array(instances.map(\.json))])
            }
            // A Blender that left the bridge's list is gone: its sessions must re-home.
            let gone = Set(before).subtracting(instances.map(\.id))
            if !gone.isEmpty { markSessionsLost(on: Array(gone), reason: "its Blender left bridge \(name)") }
            releaseHeldRequests()
        case .heartbeat:
            if !bridges.touch(bridge) { tellToReregister(bridge) }
        case .reply, .error:
            guard bridges.touch(bridge) else { tellToReregister(bridge); return }
            complete(message, from: bridge)
        case .event:
            guard bridges.touch(bridge) else { tellToReregister(bridge); return }
            bridgeEvent(message, from: bridge)
        case .disconnect:
            dropBridge(bridge, reason: message.error?.message ?? "it disconnected")
        case .request:
            logger.warning("bridge sent unexpected kind '\(message.kind.rawValue)'")
        }
    }

    /// A READY can tell of a restart the broker did not see: a worker container brought back
    /// by its restart policy announces the same instance ids from a new bridge and a new
    /// Blender. The old bridge's requests fail now (not at its heartbeat expiry), and the
    /// sessions of a restarted Blender are lost: their next request restores them (checkpoint +
    /// journal) instead of running in the new Blender's empty scene.
    private func supersede(for bridge: Data, name: String, with instances: [BlenderInstance]) {
        let (stale, restarted) = bridges.supersede(for: bridge, with: instances)
        let announced = Set(instances.map(\.id))
        for old in stale {
            failInFlight(of: old, reason: "blender-bridge \(old.name) was replaced by \(name), which holds the same Blender")
            let gone = old.instances.map(\.id).filter { !announced.contains($0) }
            if !gone.isEmpty { markSessionsLost(on: gone, reason: "its bridge \(old.name) was replaced by \(name)") }
        }
        if !restarted.isEmpty {
            logger.notice("Blender restarted at \(restarted.joined(separator: ", ")): its sessions are restored from their checkpoints")
            markSessionsLost(on: restarted, reason: "its Blender restarted and holds none of its scenes")
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
        bridges.complete(id, on: bridge)
        var answer = message
        answer.id = pending.request.id
        answer.op = pending.request.op
        answer.session = pending.request.session
        answer.meta = nil
        if let checked = sessionReplyChecked(message, for: pending) { answer = checked }
        // Journaled before it is acknowledged: an answered command is never lost.
        if answer.kind == .reply, let seq = pending.journalSeq { answer = journal(answer, of: pending, seq: seq) }
        // The answer first: the event wakes log-writer and watchers, which should not delay it.
        respond(pending.requester, answer)
        if case .client = pending.requester, !pending.request.isObservation { publishCommand(pending, answer: answer) }
    }

    func dropBridge(_ bridge: Data, reason: String) {
        guard let record = bridges.remove(bridge) else { return }
        failInFlight(of: record, reason: "blender-bridge \(record.name) was lost (\(reason))")
        markSessionsLost(on: record.instances.map(\.id), reason: reason)
    }

    func failInFlight(of record: BridgeRecord, reason: String) {
        logger.warning("\(reason); failing \(record.inFlight.count) in-flight request(s)")
        events.publish(EventName.bridgeLost, payload: ["bridge": .string(record.name), "reason": .string(reason)])
        for id in record.inFlight.sorted() {
            guard let pending = inFlight.removeValue(forKey: id) else { continue }
            let failure = pending.request.failure(BusError(
                code: ErrorCode.bridgeLost,
                message: "\(reason) while running \(pending.request.op ?? "the command"); it may or may not have taken effect in Blender. Retry once a Blender is available again.",
                retryable: true), source: source)
            // The session's log says so too: the command was sent and its outcome is unknown.
            if case .client = pending.requester, !pending.request.isObservation { publishCommand(pending, answer: failure) }
            respond(pending.requester, failure)
        }
    }

    private func failAll(reason: String) {
        for (_, pending) in inFlight {
            respond(pending.requester, pending.request.failure(BusError(
                code: ErrorCode.shuttingDown, message: reason, retryable: true), source: source))
        }
        inFlight.removeAll()
    }

    // MARK: Heartbeats

    private func heartbeatTick() {
        let beat = Envelope(kind: .heartbeat, source: source)
        let data = try? codec.encode(beat)
        for dead in bridges.expire() {
            failInFlight(of: dead, reason: "blender-bridge \(dead.name) missed \(bridges.liveness) heartbeats")
            markSessionsLost(on: dead.instances.map(\.id), reason: "its bridge missed \(bridges.liveness) heartbeats")
        }
        releaseHeldRequests()
        for bridge in bridges.bridges.keys {
            do {
                if let data { try workers.send([bridge, data], dontWait: true) }
            } catch {
                dropBridge(bridge, reason: "its connection closed")
            }
        }
    }

    func flushRegistry() {
        do {
            try sessions.flush()
        } catch {
            logger.error("\(error.message)")
        }
    }

    private func health() -> JSONValue {
        ["status": "ok", "source": .string(source), "bridges": bridges.summary(),
         "in_flight": .int(Int64(inFlight.count)), "sessions": .int(Int64(sessions.count)),
         "zeromq": .string(zeroMQVersion)]
    }
}
