import BusMessages
import Foundation
import ServiceKit

/// Bringing a session back on a Blender that does not hold its scene (re-homed after its
/// Blender was lost, woken from idle, resumed): before anything else runs in it, the addon
/// opens its newest readable checkpoint (`session.restore`, which falls back to older ones)
/// and the broker replays, in order, the journal entries after the journal number that
/// checkpoint holds. Requests for the session that arrive meanwhile wait in `restoring`.
///
/// A replayed entry that fails marks the session diverged (its seq, op and error): nothing
/// after it is applied, those entries leave the journal, and the waiting request is told so in
/// plain words; later requests run on the scene as it is.
extension SessionBroker {
    enum RestoreOutcome {
        case restored(note: JSONValue)
        case diverged(BusError)
        case failed(BusError)
    }

    /// Starts restoring `id` on `instance`; `onFinish` runs when it ends, then the requests
    /// that arrived meanwhile run (after a failure they are failed too: the session is lost
    /// again, and the next request starts a new attempt).
    func beginRestore(_ id: String, instance: String, bridge: Data, note: JSONValue,
                      onFinish: @escaping (RestoreOutcome) -> Void) {
        guard let session = sessions.sessions[id] else {
            onFinish(.failed(BusError(code: ErrorCode.unknownSession, message: "no session '\(id)'")))
            return
        }
        nextRestoreToken += 1
        let token = nextRestoreToken
        restoring[id] = RestoreAttempt(token: token, waiting: [], onFinish: onFinish)
        let started = MonotonicClock.nanoseconds()
        loop.after(RestoreAttempt.deadline) { [unowned self] in
            guard restoring[id]?.token == token else { return }
            finishRestore(id, .failed(BusError(code: ErrorCode.timeout, message: "restoring session \(id) (checkpoint and journal replay) took longer than \(Int(RestoreAttempt.deadline.milliseconds / 1000)) s; the next command tries again", retryable: true)))
        }
        let restore = Envelope.request(op: Op.sessionRestore, session: id, source: source)
        let sent = forward(restore, to: bridge, instance: instance, meta: context(for: session), note: nil,
                           requester: .broker { [unowned self] reply in
                               guard restoring[id]?.token == token else { return }
                               self.restored(id, reply: reply, instance: instance, bridge: bridge, note: note, started: started, token: token)
                           })
        if !sent { finishRestore(id, .failed(noBlender)) }
    }

    private func restored(_ id: String, reply: Envelope, instance: String, bridge: Data, note: JSONValue, started: UInt64, token: Int) {
        guard reply.kind == .reply, let result = reply.result, let held = result["journal_seq"]?.intValue else {
            finishRestore(id, .failed(reply.error ?? BusError(code: ErrorCode.badMessage,
                message: "session.restore of \(id) answered without a journal_seq", retryable: true)))
            return
        }
        let journal: (entries: [JournalEntry], oldest: Int?)
        do {
            journal = try sessions.journal(of: id, after: Int(held))
        } catch {
            finishRestore(id, .failed(error))
            return
        }
        var facts = note.objectValue ?? [:]
        facts["restored_from"] = result["restored_from"] ?? .null
        facts["journal_seq"] = .int(held)
        // GUI: where the user's own scene was put aside before this one was loaded (SessionHome.swift).
        if let saved = result["user_scene_checkpoint"], saved != .null { facts["user_scene_checkpoint"] = saved }
        if let skipped = result["skipped"], skipped.arrayValue?.isEmpty == false { facts["unreadable_checkpoints"] = skipped }
        // Entries after the scene found were pruned (a newer checkpoint held them, and it is
        // gone or unreadable): the scene would silently miss them, so say so instead.
        let pruned = sessions.sessions[id]?.journalPruned ?? 0
        if Int(held) < pruned {
            let found = result["restored_from"]?.stringValue.map { "checkpoint \($0)" } ?? "no readable checkpoint"
            let error = diverge(id, seq: Int(held) + 1, op: "(pruned)", dropped: journal.entries.count,
                                message: "only \(found) could be opened, and the journal no longer holds commands \(Int(held) + 1)…\(pruned) it lacks")
            finishRestore(id, .diverged(error))
            return
        }
        replay(id, entries: journal.entries[...], done: 0, instance: instance, bridge: bridge, facts: facts, started: started, token: token)
    }

    private func replay(_ id: String, entries: ArraySlice<JournalEntry>, done: Int, instance: String, bridge: Data,
                        facts: [String: JSONValue], started: UInt64, token: Int) {
        guard let entry = entries.first, let session = sessions.sessions[id] else {
            var facts = facts
            facts["replayed"] = .int(Int64(done))
            facts["restore_ms"] = .double(Double(MonotonicClock.nanoseconds() - started) / 1e6)
            events.publish(EventName.sessionRestored, session: id, payload: .object(facts))
            if done > 0 { logger.notice("session \(id) restored from \(facts["restored_from"]?.stringValue ?? "a fresh scene") and \(done) journal entries") }
            finishRestore(id, .restored(note: .object(facts)))
            return
        }
        let params = (try? JSONParser.parse(Array(entry.params.utf8))) ?? [:]
        let request = Envelope.request(op: entry.op, session: id, params: params, source: source)
        let sent = forward(request, to: bridge, instance: instance, meta: context(for: session, journalSeq: entry.seq), note: nil,
                           requester: .broker { [unowned self] reply in
                               guard restoring[id]?.token == token else { return }  // that attempt already ended
                               guard reply.kind == .reply else {
                                   if let error = reply.error, error.retryable == true {
                                       self.finishRestore(id, .failed(error))  // Blender lost mid-replay: the next try starts over
                                       return
                                   }
                                   let message = reply.error?.message ?? "no answer"
                                   let error = self.diverge(id, seq: entry.seq, op: entry.op, dropped: entries.count - 1, message: message)
                                   self.finishRestore(id, .diverged(error))
                                   return
                               }
                               self.replay(id, entries: entries.dropFirst(), done: done + 1, instance: instance, bridge: bridge,
                                           facts: facts, started: started, token: token)
                           })
        if !sent { finishRestore(id, .failed(noBlender)) }
    }

    /// Marks `id` diverged at `seq` and drops the journal from there; returns what the waiting
    /// client is told.
    private func diverge(_ id: String, seq: Int, op: String, dropped: Int, message: String) -> BusError {
        let record: JSONValue = ["seq": .int(Int64(seq)), "op": .string(op), "error": .string(message), "dropped": .int(Int64(dropped))]
        _ = try? sessions.update(id) { $0.diverged = record }
        sessions.dropJournal(of: id, seq: seq, from: true)
        events.publish(EventName.sessionDiverged, session: id, payload: record)
        logger.error("session \(id) diverged at journal entry \(seq) (\(op)): \(message)")
        return BusError(code: ErrorCode.sessionDiverged, message: """
            Session \(id) was restored after its Blender was lost, but replaying its command #\(seq) (\(op)) failed: \(message). \
            The scene has every command before it; that command and the \(dropped) after it are not applied, and will not be. \
            Check the scene (get_scene_info) and redo what is missing; the session works normally from here.
            """)
    }

    /// Ends the attempt: its own request first (`onFinish`), then the ones that waited. A
    /// failed attempt leaves the session lost, so nothing runs on a scene that lacks journal
    /// entries: the next request starts a new attempt.
    func finishRestore(_ id: String, _ outcome: RestoreOutcome) {
        guard let attempt = restoring.removeValue(forKey: id) else { return }
        if case .failed(let error) = outcome {
            _ = try? sessions.update(id) { $0.state = .lost }
            logger.warning("restoring session \(id) failed: \(error.message)")
            attempt.onFinish(outcome)
            for next in attempt.waiting { answer(next.route, next.request.failure(error, source: source)) }
            return
        }
        attempt.onFinish(outcome)
        for next in attempt.waiting { dispatch(next.request, from: next.route) }
    }
}
