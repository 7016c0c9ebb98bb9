import BusMessages
import Foundation

/// Every session the broker knows, in memory for routing and on disk (`SessionStore`) for
/// surviving restarts. A change is written before it becomes visible: if the write fails the
/// session stays as it was and the caller gets `registry_failed`.
///
/// Loop-confined (the broker's loop).
final class SessionRegistry {
    private(set) var sessions: [String: Session] = [:]
    private let store: SessionStore
    let dataDirectory: URL
    private let sessionsPath: String
    /// Active sessions per instance, kept as sessions change (placement asks on every create).
    private var activeCounts: [String: Int] = [:]
    /// Sessions whose counters changed since the last flush (use counts are batched; state
    /// changes are written at once).
    private var unflushed: Set<String> = []

    init(dataDirectory: URL, durable: Bool = false) throws {
        self.dataDirectory = dataDirectory
        sessionsPath = dataDirectory.appendingPathComponent("sessions", isDirectory: true).path
        store = try SessionStore(path: dataDirectory.appendingPathComponent("broker/sessions.sqlite").path, durable: durable)
        // A sequence number handed out just before a crash may be newer than the registry's
        // batched counters: the journal itself says where each session stands.
        let newest = try store.newestJournalSeqs()
        for var session in try store.loadAll() {
            // Above every number a previous run may have handed out.
            session.journalSeq = max(session.journalReserved, newest[session.id] ?? 0)
            session.journalReserved = session.journalSeq
            replace(session)
        }
    }

    // MARK: Journal

    /// Hands out the next journal sequence number of `id`. Numbers are reserved on disk a block
    /// at a time (one write per `journalBlock` commands), so no number is ever handed out twice,
    /// even across a crash of the broker.
    func nextJournalSeq(_ id: String) throws(BusError) -> Int {
        guard var session = sessions[id] else { return 0 }
        session.journalSeq += 1
        if session.journalSeq > session.journalReserved {
            session.journalReserved = session.journalSeq + Self.journalBlock - 1
            try persist([session])
        } else {
            replace(session)
            unflushed.insert(id)
        }
        return session.journalSeq
    }

    static let journalBlock = 1000

    func appendJournal(_ entry: JournalEntry) throws(BusError) {
        do {
            try store.appendJournal(entry)
        } catch {
            throw BusError(code: ErrorCode.registryFailed, message: "could not write the journal of \(entry.session): \(error)")
        }
    }

    func journal(of id: String, after seq: Int) throws(BusError) -> (entries: [JournalEntry], oldest: Int?) {
        do {
            return (try store.journal(of: id, after: seq), try store.oldestJournalSeq(of: id))
        } catch {
            throw BusError(code: ErrorCode.registryFailed, message: "could not read the journal of \(id): \(error)")
        }
    }

    /// Forgets the whole history (close with keep_checkpoint false): the session starts again
    /// from an empty scene, which needs no entry from before.
    func discardJournal(of id: String) {
        try? store.deleteJournal(of: id, seq: 0, from: true)
        _ = try? update(id) { $0.journalPruned = 0 }
    }

    /// Drops entries from `seq` on (a replay diverged there) or up to it (a checkpoint holds
    /// them; the session remembers how far, so an older scene is never taken for complete).
    func dropJournal(of id: String, seq: Int, from: Bool) {
        if !from, let session = sessions[id], seq > session.journalPruned {
            guard (try? update(id) { $0.journalPruned = seq }) != nil else { return }
        }
        try? store.deleteJournal(of: id, seq: seq, from: from)
    }

    var count: Int { sessions.count }

    func folder(of id: String) -> URL {
        URL(fileURLWithPath: folderPath(of: id), isDirectory: true)
    }

    /// Ids are checked folder names, so a join is enough (URL appending costs a stat here).
    func folderPath(of id: String) -> String {
        sessionsPath + "/" + id
    }

    func get(_ id: String) throws(BusError) -> Session {
        guard let session = sessions[id] else {
            throw BusError(code: ErrorCode.unknownSession,
                           message: "no session '\(id)'; list_sessions shows the known ones, create_session makes one")
        }
        return session
    }

    func create(id: String?, name: String?, owner: String?, instance: String? = nil) throws(BusError) -> Session {
        let id = id ?? Session.newID()
        guard Session.isValidID(id) else {
            throw BusError(code: ErrorCode.badParams,
                           message: "session id '\(id)' may only hold letters, digits, '-', '_' and '.', and not start with '.' or '-'")
        }
        guard sessions[id] == nil else {
            throw BusError(code: ErrorCode.badParams, message: "a session '\(id)' already exists")
        }
        let now = Date()
        let session = Session(id: id, name: name ?? id, state: .active, instance: instance, createdAt: now,
                              lastUsedAt: now, commandCount: 0, latestCheckpoint: nil, owner: owner)
        try persist([session])
        return session
    }

    /// Applies `change` and writes the result at once (state changes).
    @discardableResult
    func update(_ id: String, _ change: (inout Session) -> Void) throws(BusError) -> Session {
        var session = try get(id)
        change(&session)
        try persist([session])
        return session
    }

    /// Applies `change` in memory now; `flush()` writes it (use counters on the hot path).
    func touch(_ id: String, _ change: (inout Session) -> Void) {
        guard var session = sessions[id] else { return }
        change(&session)
        replace(session)
        unflushed.insert(id)
    }

    func flush() throws(BusError) {
        guard !unflushed.isEmpty else { return }
        let pending = unflushed.compactMap { sessions[$0] }
        do {
            try store.save(pending)
            unflushed.removeAll()
        } catch {
            throw BusError(code: ErrorCode.registryFailed, message: "could not write the session registry: \(error)")
        }
    }

    /// Active sessions bound to `instance`, for load balancing and for marking them lost.
    func active(on instance: String) -> [Session] {
        sessions.values.filter { $0.instance == instance && $0.state == .active }
    }

    func activeCount(on instance: String) -> Int {
        activeCounts[instance] ?? 0
    }

    /// The one place `sessions` changes, so `activeCounts` follows it.
    private func replace(_ session: Session) {
        if let old = sessions[session.id], old.state == .active, let instance = old.instance {
            activeCounts[instance, default: 0] -= 1
        }
        if session.state == .active, let instance = session.instance {
            activeCounts[instance, default: 0] += 1
        }
        sessions[session.id] = session
    }

    private func persist(_ changed: [Session]) throws(BusError) {
        do {
            try store.save(changed)
        } catch {
            throw BusError(code: ErrorCode.registryFailed, message: "could not write the session registry: \(error)")
        }
        for session in changed {
            replace(session)
            unflushed.remove(session.id)
        }
    }
}
