import BusMessages
import Foundation
import ServiceKit

/// Session affinity: a request for a session goes to the instance holding its scene; a
/// session whose instance is gone is re-homed on the least-loaded live instance, which
/// restores it from its latest checkpoint.
extension SessionBroker {
    /// `carrying`: facts for this request's answer from a restore that ran before it.
    func dispatch(_ request: Envelope, from route: [Data], carrying note: JSONValue? = nil) {
        guard let id = request.session else {
            routeAnywhere(request, requester: .client(route))
            return
        }
        do {
            try routeSessionRequest(request, session: id, requester: .client(route), route: route, carrying: note)
        } catch {
            answer(route, request.failure(error, source: source))
        }
    }

    /// Requests without a session (tools, probes) go to the least busy bridge.
    private func routeAnywhere(_ request: Envelope, requester: Requester) {
        while let bridge = bridges.pick() {
            if forward(request, to: bridge, instance: nil, meta: nil, note: nil, requester: requester) { return }
        }
        respond(requester, request.failure(noBlender, source: source))
    }

    private func routeSessionRequest(_ request: Envelope, session id: String, requester: Requester,
                                     route: [Data], carrying carried: JSONValue?) throws(BusError) {
        let session = try sessions.get(id)
        // Being restored: nothing runs in it before its journal is replayed.
        if restoring[id] != nil {
            if request.isObservation {
                throw BusError(code: ErrorCode.sessionNotLoaded, message: "session '\(id)' is being restored; an observer cannot read it now")
            }
            guard (restoring[id]?.waiting.count ?? 0) < RestoreAttempt.maxWaiting else {
                throw BusError(code: ErrorCode.sessionBusy, message: "session '\(id)' is being restored and \(RestoreAttempt.maxWaiting) requests already wait for it; try again shortly", retryable: true)
            }
            restoring[id]?.waiting.append((request, route))
            return
        }
        guard session.state != .closed else {
            throw BusError(code: ErrorCode.sessionClosed,
                           message: "session '\(id)' is closed; resume_session reopens it from its checkpoint")
        }
        let observing = request.isObservation
        if !observing { try checkOwner(session, client: request.source) }
        for _ in 0...bridges.bridges.count {
            // Read again each round: a send that failed in the last one dropped its bridge and
            // marked the session lost, and placing it from the stale copy would move it without
            // knowing it was lost.
            let session = try sessions.get(id)
            // Observers only look: they never move a session or wake it up (a move skips the
            // restore for them, and the session's next command would then find an empty scene).
            if observing, session.state != .active || session.instance.map({ bridges.bridge(holding: $0) == nil }) ?? true {
                throw BusError(code: ErrorCode.sessionNotLoaded,
                               message: "session '\(id)' is \(session.state.rawValue) and not loaded on a live Blender; an observer cannot read it now")
            }
            let (instance, bridge, placed) = try place(session, request: request, route: route)
            guard let instance, let bridge else { return }  // held until its instance re-registers
            if let placed, !observing, !isHomeSession(id) {
                // It moved: its scene comes back (checkpoint + journal) before this request runs.
                // (A GUI Blender's home session is the user's own scene: it never moves or replays.)
                beginRestore(id, instance: instance, bridge: bridge, note: placed) { [unowned self] outcome in
                    switch outcome {
                    case .restored(let note): self.dispatch(request, from: route, carrying: note)
                    case .diverged(let error), .failed(let error): self.answer(route, request.failure(error, source: self.source))
                    }
                }
                return
            }
            let note = placed ?? carried
            let current = try sessions.get(id)
            let seq = !observing && Op.isJournaled(request.op ?? "") ? try sessions.nextJournalSeq(id) : nil
            if forward(request, to: bridge, instance: instance, meta: context(for: current, observing: observing, journalSeq: seq),
                       note: note, requester: requester, journalSeq: seq) {
                // A look loads nothing, so it does not change what is resident (SessionHome.swift relies on it).
                if !observing { resident[instance] = id }
                if !observing {
                    sessions.touch(id) {
                        $0.lastUsedAt = Date()
                        $0.commandCount += 1
                    }
                }
                return
            }
        }
        throw noBlender
    }

    /// Where a session's request goes now: its own live instance, or a new home.
    private func place(_ session: Session, request: Envelope, route: [Data]) throws(BusError)
        -> (instance: String?, bridge: Data?, note: JSONValue?)
    {
        if let placed = try placeForGUI(session, request: request) { return placed }  // SessionHome.swift
        if session.state == .active, let instance = session.instance, let bridge = bridges.bridge(holding: instance) {
            return (instance, bridge, nil)
        }
        // Just restarted: give the instances of the last run a moment to say READY again.
        let grace = configuration.heartbeat.nanoseconds * 3 + 1_000_000_000
        if session.state == .active, session.instance != nil, MonotonicClock.nanoseconds() - startedAt < grace {
            held.append((request, route, startedAt + grace))
            return (nil, nil, nil)
        }
        // A lost session leaves the Blender that lost it when another can take it: that one
        // just died or restarted (and, under a restart policy, comes back with the same id).
        let away = session.state == .lost ? leastLoadedInstance(excluding: session.instance) : nil
        guard let home = away ?? leastLoadedInstance() else { throw noBlender }
        let previous = session.instance
        let wasIdle = session.state == .idle
        try sessions.update(session.id) {
            $0.state = .active
            $0.instance = home.instance
        }
        let note: JSONValue = [
            "rehomed": .bool(!wasIdle && previous != nil),
            "from_instance": previous.map(JSONValue.string) ?? .null,
            "to_instance": .string(home.instance),
            "checkpoint": session.latestCheckpoint.map(JSONValue.string) ?? .null,
        ]
        if !wasIdle && previous != nil {
            logger.notice("session \(session.id) re-homed from \(previous ?? "?") to \(home.instance)")
            events.publish(EventName.sessionRehomed, session: session.id, payload: note)
        }
        return (home.instance, home.bridge, note)
    }

    /// The live instance with the fewest active sessions, then the fewest requests in flight.
    func leastLoadedInstance(excluding: String? = nil) -> (instance: String, bridge: Data)? {
        bridges.liveInstances
            .filter { $0.instance != excluding && !isGUIInstance($0.instance) }  // GUI Blenders: SessionHome.swift
            .min { lhs, rhs in
                let left = (sessions.activeCount(on: lhs.instance), lhs.inFlight, lhs.instance)
                let right = (sessions.activeCount(on: rhs.instance), rhs.inFlight, rhs.instance)
                return left < right
            }
            .map { ($0.instance, $0.bridge) }
    }

    /// What the addon needs to keep this session's scene apart and checkpointed.
    /// An observer's context says so: the addon then answers only if the session is resident
    /// (the broker's view can be a moment behind a release it has sent).
    /// `journalSeq`: the journal number of this mutating command, so the addon's checkpoints
    /// say which commands they hold.
    func context(for session: Session, observing: Bool = false, journalSeq: Int? = nil) -> JSONValue {
        var context: [String: JSONValue] = [
            "id": .string(session.id),
            "dir": .string(sessions.folderPath(of: session.id)),
            "expect_checkpoint": .bool(session.latestCheckpoint != nil),
        ]
        if observing { context["observe"] = true }
        if let journalSeq { context["journal_seq"] = .int(Int64(journalSeq)) }
        if isHomeSession(session.id) { context["home"] = true }
        return ["session_context": .object(context)]
    }

    func checkOwner(_ session: Session, client: String?) throws(BusError) {
        // An owner's lease is about what it changes; reading is open to everyone.
        guard let owner = session.owner, owner != client, isLeaseFresh(session) else { return }
        let idle = Int(Date().timeIntervalSince(session.lastUsedAt))
        throw BusError(code: ErrorCode.sessionInUse,
                       message: "session '\(session.id)' is attached to another client (\(owner), last active \(idle) s ago); switch_session with force=true takes it over")
    }

    func isLeaseFresh(_ session: Session) -> Bool {
        Date().timeIntervalSince(session.lastUsedAt) < Double(configuration.ownerLease.nanoseconds) / 1e9
    }

    /// Requests held after a restart: route them once their instance is back or the grace ran out.
    func releaseHeldRequests() {
        guard !held.isEmpty else { return }
        let now = MonotonicClock.nanoseconds()
        let waiting = held
        held.removeAll()
        for entry in waiting {
            let instance = entry.request.session.flatMap { sessions.sessions[$0]?.instance }
            let ready = instance.map { bridges.bridge(holding: $0) != nil } ?? true
            if ready || now >= entry.until {
                if !ready, let id = entry.request.session { try? sessions.update(id) { $0.state = .lost } }
                dispatch(entry.request, from: entry.route)
            } else {
                held.append(entry)
            }
        }
    }

    /// Checks a session request's answer: the bridge must answer for the session it was given;
    /// a checkpoint it reports is recorded; re-homing facts go to the client in `meta`.
    func sessionReplyChecked(_ reply: Envelope, for pending: InFlight) -> Envelope? {
        guard let id = pending.request.session, pending.instance != nil else { return nil }
        var answer = reply
        answer.id = pending.request.id
        answer.op = pending.request.op
        answer.session = id
        let state = reply.meta?["session"]
        if let answered = state?["id"]?.stringValue, answered != id {
            logger.error("bridge answered for session \(answered) instead of \(id)")
            return pending.request.failure(BusError(code: ErrorCode.badMessage,
                message: "the Blender instance answered for session '\(answered)' instead of '\(id)'; the result was discarded"),
                source: source)
        }
        if let checkpoint = state?["checkpoint"]?.stringValue {
            recordCheckpoint(checkpoint, session: id)
        }
        var meta: [String: JSONValue] = pending.note?.objectValue ?? [:]
        meta["instance"] = pending.instance.map(JSONValue.string) ?? .null
        if let restored = state?["restored_from"], restored != .null { meta["restored_from"] = restored }
        if let saved = state?["user_scene_checkpoint"], saved != .null { meta["user_scene_checkpoint"] = saved }
        answer.meta = ["session": .object(meta)]
        return answer
    }

    func recordCheckpoint(_ path: String, session id: String) {
        noteCheckpoint(path, session: id)
        do {
            try sessions.update(id) { $0.latestCheckpoint = path }
            events.publish(EventName.sessionCheckpointed, session: id, payload: ["path": .string(path)])
        } catch {
            logger.error("checkpoint of \(id) not recorded: \(error.message)")
        }
    }

    /// Unsolicited news from a bridge: a debounced checkpoint was written.
    func bridgeEvent(_ event: Envelope, from bridge: Data) {
        guard event.op == EventName.sessionCheckpointed, let id = event.session,
              let path = event.params?["path"]?.stringValue else { return }
        guard let instance = sessions.sessions[id]?.instance, bridges.holds(bridge, instance: instance) else {
            logger.warning("a bridge reported a checkpoint for session \(id), which it does not hold; ignored")
            return
        }
        recordCheckpoint(path, session: id)
    }

    func markSessionsLost(on instances: [String], reason: String) {
        for instance in instances {
            resident[instance] = nil
            for session in sessions.active(on: instance) {
                do {
                    try sessions.update(session.id) { $0.state = .lost }
                    events.publish(EventName.sessionLost, session: session.id,
                                   payload: ["instance": .string(instance), "reason": .string(reason)])
                } catch {
                    logger.error("could not mark \(session.id) lost: \(error.message)")
                }
            }
        }
    }
}

extension Envelope {
    /// A read-only request from an observer (log-writer snapshots, dashboards): it needs no
    /// ownership and is not a use of the session.
    var isObservation: Bool {
        meta?["observe"]?.boolValue == true && Op.readOnly.contains(op ?? "")
    }
}
