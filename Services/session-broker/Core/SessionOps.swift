import BusMessages
import Foundation
import ServiceKit

/// The session ops clients send to the broker itself: create, list, get, attach (switch),
/// detach, close, resume, and the instance list.
extension SessionBroker {
    /// Handles `request` if it is a session op; false leaves it to routing.
    func handleSessionOp(_ request: Envelope, route: [Data]) -> Bool {
        let params = Params(request.params ?? [:], op: request.op ?? "")
        do {
            switch request.op {
            case Op.sessionCreate:
                answer(route, request.reply(try create(params, client: request.source).json, source: source))
            case Op.sessionList:
                answer(route, request.reply(try list(params), source: source))
            case Op.sessionGet:
                answer(route, request.reply(try sessions.get(try params.sessionID()).json, source: source))
            case Op.sessionAttach:
                answer(route, request.reply(try attach(params, client: request.source).json, source: source))
            case Op.sessionDetach:
                let id = try params.sessionID()
                let session = try sessions.get(id)
                let updated = session.owner == request.source ? try sessions.update(id) { $0.owner = nil } : session
                answer(route, request.reply(updated.json, source: source))
            case Op.sessionClose:
                try close(params, request: request, route: route)
            case Op.sessionResume:
                try resume(params, request: request, route: route)
            case Op.instanceList:
                answer(route, request.reply(instanceList(), source: source))
            default:
                return false
            }
        } catch {
            answer(route, request.failure(error, source: source))
        }
        return true
    }

    /// A brief is a dictionary entry's id, title and arguments: a few kilobytes at most.
    static let maxBriefBytes = 32 * 1024

    private func create(_ params: Params, client: String?) throws(BusError) -> Session {
        let name = try params.string("name")
        let requested = try params.string("instance")
        let home: (instance: String, bridge: Data)?
        if let requested {
            guard let bridge = bridges.bridge(holding: requested) else {
                throw BusError(code: ErrorCode.unknownInstance, message:
                    "no live instance '\(requested)'; live instances: \(bridges.liveInstances.map(\.instance).sorted().joined(separator: ", "))")
            }
            home = (requested, bridge)
        } else {
            home = leastLoadedInstance()
        }
        let requestedID = try params.string("session_id")
        try refuseHomeID(requestedID)
        let brief = try params.object("brief")
        if let brief, JSONWriter().bytes(brief).count > Self.maxBriefBytes {
            throw BusError(code: ErrorCode.badParams, message: "session.create: param 'brief' is over its limit of \(Self.maxBriefBytes) bytes")
        }
        let session = try sessions.create(id: requestedID, name: name, owner: client, instance: home?.instance)
        // The brief (the architecture prompt it began from) lives in the session's events.log,
        // where log-writer reads it for design.md; the broker only passes it on.
        var created = session.json.objectValue ?? [:]
        if let brief { created["brief"] = brief }
        events.publish(EventName.sessionCreated, session: session.id, payload: .object(created))
        return session
    }

    private func list(_ params: Params) throws(BusError) -> JSONValue {
        let status = try params.string("status")
        if let status, Session.State(rawValue: status) == nil {
            throw BusError(code: ErrorCode.badParams, message:
                "session.list: param 'status' must be one of \(Session.State.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(status)\"")
        }
        let listed = sessions.sessions.values
            .filter { status == nil || $0.state.rawValue == status }
            .sorted { ($0.lastUsedAt, $0.id) > ($1.lastUsedAt, $1.id) }
        return ["sessions": .array(listed.map(\.json)), "count": .int(Int64(listed.count))]
    }

    private func attach(_ params: Params, client: String?) throws(BusError) -> Session {
        let id = try params.sessionID()
        let session = try sessions.get(id)
        guard session.state != .closed else {
            throw BusError(code: ErrorCode.sessionClosed, message: "session '\(id)' is closed; resume_session reopens it")
        }
        if try params.bool("force") != true { try checkOwner(session, client: client) }
        return try sessions.update(id) {
            // The user's own scene is shared by every client routed to that Blender.
            $0.owner = isHomeSession(id) ? nil : client
            $0.lastUsedAt = Date()
        }
    }

    private func close(_ params: Params, request: Envelope, route: [Data]) throws(BusError) {
        let id = try params.sessionID()
        let keep = try params.bool("keep_checkpoint") ?? true
        let session = try sessions.get(id)
        try checkOwner(session, client: request.source)
        try refuseWhileRestoring(id, "closed")
        let finish: (String?) -> Void = { [unowned self] checkpoint in
            do throws(BusError) {
                let closed = try sessions.update(id) {
                    $0.state = .closed
                    $0.instance = nil
                    $0.owner = nil
                    if let checkpoint { $0.latestCheckpoint = checkpoint }
                    if !keep { $0.latestCheckpoint = nil }
                }
                if !keep {
                    try? FileManager.default.removeItem(at: sessions.folder(of: id).appendingPathComponent("checkpoints"))
                    // The history goes with the checkpoints: a later restore must not bring it back.
                    sessions.discardJournal(of: id)
                }
                events.publish(EventName.sessionClosed, session: id, payload: ["keep_checkpoint": .bool(keep)])
                answer(route, request.reply(closed.json, source: source))
            } catch {
                answer(route, request.failure(error, source: source))
            }
        }
        // Free its instance: the addon saves the scene if it changed and loads an empty one
        // (a release for a session whose scene is not the loaded one changes nothing).
        guard session.state == .active, let instance = session.instance, let bridge = bridges.bridge(holding: instance) else {
            finish(nil)
            return
        }
        let release = Envelope.request(op: Op.sessionRelease, session: id, source: source)
        let sent = forward(release, to: bridge, instance: instance, meta: context(for: session), note: nil,
                           requester: .broker { [unowned self] reply in
            if reply.kind == .error {
                answer(route, request.failure(reply.error ?? BusError(code: "release_failed", message: "release failed"), source: source))
                return
            }
            resident[instance] = nil
            finish(reply.result?["checkpoint"]?.stringValue ?? reply.meta?["session"]?["checkpoint"]?.stringValue)
        })
        if !sent { finish(nil) }
    }

    private func refuseWhileRestoring(_ id: String, _ what: String) throws(BusError) {
        guard restoring[id] == nil else {
            throw BusError(code: ErrorCode.sessionBusy,
                           message: "session '\(id)' is being restored (checkpoint and journal replay); it can be \(what) once that is done", retryable: true)
        }
    }

    private func resume(_ params: Params, request: Envelope, route: [Data]) throws(BusError) {
        let id = try params.sessionID()
        let session = try sessions.get(id)
        try checkOwner(session, client: request.source)
        try refuseWhileRestoring(id, "resumed")
        let home: (instance: String, bridge: Data)
        if session.state == .active, let instance = session.instance, let bridge = bridges.bridge(holding: instance) {
            home = (instance, bridge)
        } else if let least = leastLoadedInstance() {
            // Its scene is not on a live Blender: checkpoint and journal, like any restore.
            try resumeByRestore(session, on: least, request: request, route: route)
            return
        } else {
            throw noBlender
        }
        let started = MonotonicClock.nanoseconds()
        // A request with the session's context makes the addon load its latest checkpoint; a
        // checkpoint request also makes sure the resumed session has one.
        let probe = Envelope.request(op: Op.sessionCheckpoint, session: id, source: source)
        let sent = forward(probe, to: home.bridge, instance: home.instance, meta: context(for: session), note: nil,
                           requester: .broker { [unowned self] reply in
            guard reply.kind == .reply else {
                answer(route, request.failure(reply.error ?? BusError(code: "resume_failed", message: "resume failed"), source: source))
                return
            }
            do throws(BusError) {
                let resumed = try sessions.update(id) {
                    $0.state = .active
                    $0.instance = home.instance
                    $0.owner = request.source
                    $0.lastUsedAt = Date()
                }
                resident[home.instance] = id
                let restored = reply.meta?["session"]?["restored_from"] ?? .null
                let milliseconds = Double(MonotonicClock.nanoseconds() - started) / 1e6
                events.publish(EventName.sessionResumed, session: id, payload: [
                    "instance": .string(home.instance), "restored_from": restored, "duration_ms": .double(milliseconds)])
                var body = resumed.json.objectValue ?? [:]
                body["restored_from"] = restored
                body["resume_ms"] = .double(milliseconds)
                answer(route, request.reply(.object(body), source: source))
            } catch {
                answer(route, request.failure(error, source: source))
            }
        })
        if !sent { throw noBlender }
    }

    private func resumeByRestore(_ session: Session, on home: (instance: String, bridge: Data), request: Envelope,
                                 route: [Data]) throws(BusError) {
        let id = session.id
        let previous = session.instance
        try sessions.update(id) {
            $0.state = .active
            $0.instance = home.instance
            $0.owner = request.source
            $0.lastUsedAt = Date()
        }
        let note: JSONValue = ["from_instance": previous.map(JSONValue.string) ?? .null, "to_instance": .string(home.instance)]
        beginRestore(id, instance: home.instance, bridge: home.bridge, note: note) { [unowned self] outcome in
            switch outcome {
            case .restored(let facts):
                resident[home.instance] = id
                events.publish(EventName.sessionResumed, session: id, payload: facts)
                var body = (sessions.sessions[id] ?? session).json.objectValue ?? [:]
                for key in ["restored_from", "replayed", "journal_seq", "unreadable_checkpoints"] { body[key] = facts[key] ?? body[key] }
                body["resume_ms"] = facts["restore_ms"] ?? .null
                answer(route, request.reply(.object(body), source: source))
            case .diverged(let error), .failed(let error):
                answer(route, request.failure(error, source: source))
            }
        }
    }

    /// Every live Blender with what `bmcp status` shows: version, address, the bridge holding
    /// it, its sessions and when that bridge last proved itself alive.
    private func instanceList() -> JSONValue {
        let now = MonotonicClock.nanoseconds()
        let live = bridges.bridges.values.flatMap { bridge in bridge.instances.map { (bridge, $0) } }
        return ["instances": .array(live.sorted { $0.1.id < $1.1.id }.map { bridge, instance in
            ["id": .string(instance.id), "blender_version": .string(instance.blenderVersion),
             "address": .string(instance.address), "bridge": .string(bridge.name),
             "sessions": .int(Int64(sessions.activeCount(on: instance.id))),
             "in_flight": .int(Int64(bridge.inFlight.count)),
             "last_heartbeat_ms_ago": .int(Int64((now - min(now, bridge.lastSeen)) / 1_000_000)),
             "resident_session": resident[instance.id].map(JSONValue.string) ?? .null]
        })]
    }

    // MARK: Idle clean-up

    /// Sessions unused for `idleTimeout` are checkpointed and released from Blender; the next
    /// command restores them from the checkpoint.
    func sweepIdleSessions() {
        let cutoff = Date().addingTimeInterval(-Double(configuration.idleTimeout.nanoseconds) / 1e9)
        let busy = Set(inFlight.values.compactMap(\.request.session))
        for session in sessions.sessions.values where session.state == .active && session.lastUsedAt < cutoff
            && !busy.contains(session.id) && restoring[session.id] == nil {
            let id = session.id
            guard let instance = session.instance, let bridge = bridges.bridge(holding: instance) else {
                markIdle(id, checkpoint: nil)
                continue
            }
            let release = Envelope.request(op: Op.sessionRelease, session: id, source: source)
            _ = forward(release, to: bridge, instance: instance, meta: context(for: session), note: nil,
                        requester: .broker { [unowned self] reply in
                guard reply.kind == .reply else {
                    logger.warning("could not release idle session \(id): \(reply.error?.message ?? "?")")
                    return
                }
                if resident[instance] == id { resident[instance] = nil }
                markIdle(id, checkpoint: reply.result?["checkpoint"]?.stringValue)
            })
        }
    }

    private func markIdle(_ id: String, checkpoint: String?) {
        do {
            try sessions.update(id) {
                $0.state = .idle
                $0.instance = nil
                if let checkpoint { $0.latestCheckpoint = checkpoint }
            }
            events.publish(EventName.sessionIdle, session: id, payload: ["checkpoint": checkpoint.map(JSONValue.string) ?? .null])
        } catch {
            logger.error("could not mark \(id) idle: \(error.message)")
        }
    }
}

/// Reads an op's params with errors that name the op, the param and what was wrong.
struct Params {
    let values: JSONValue
    let op: String

    init(_ values: JSONValue, op: String) {
        self.values = values
        self.op = op
    }

    func string(_ name: String) throws(BusError) -> String? {
        guard let value = values[name], value != .null else { return nil }
        guard let string = value.stringValue else { throw mistyped(name, "a string", value) }
        return string
    }

    func bool(_ name: String) throws(BusError) -> Bool? {
        guard let value = values[name], value != .null else { return nil }
        guard let bool = value.boolValue else { throw mistyped(name, "a boolean", value) }
        return bool
    }

    func object(_ name: String) throws(BusError) -> JSONValue? {
        guard let value = values[name], value != .null else { return nil }
        guard value.objectValue != nil else { throw mistyped(name, "an object", value) }
        return value
    }

    func sessionID() throws(BusError) -> String {
        guard let id = try string("session_id") else {
            throw BusError(code: ErrorCode.badParams, message: "\(op): missing required param 'session_id'")
        }
        return id
    }

    private func mistyped(_ name: String, _ expected: String, _ value: JSONValue) -> BusError {
        BusError(code: ErrorCode.badParams, message: "\(op): param '\(name)' must be \(expected), got \(value.typeName) \(value)")
    }
}
