import BusMessages
import Foundation
import GRDB
import Logging

/// The session registry on disk: SQLite through GRDB, in WAL mode, one transaction per change,
/// so a `kill -9` at any moment leaves every session either before or after a change, never
/// half-way.
///
/// Written only from the broker's loop thread (GRDB's queue makes each call synchronous);
/// `WALCheckpoints` reads and checkpoints the file from its own queue and connection.
final class SessionStore {
    private let database: DatabaseQueue
    private let checkpoints: WALCheckpoints

    /// `durable` (BMCP_DURABILITY=safe): every commit is fsynced before it returns, so a
    /// journal entry survives a machine crash, not only a crash of the broker.
    init(path: String, durable: Bool = false) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.label = "session-registry"
        // Opening the file (a restart) can meet a checkpoint in progress; wait rather than fail.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // NORMAL is durable across process crashes in WAL mode; only a power loss can
            // drop the last transactions.
            try db.execute(sql: durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            // Checkpoints run on their own connection (`WALCheckpoints`), not in a commit.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try Self.migrator.migrate(database)
        checkpoints = try WALCheckpoints(path: path)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 sessions") { db in
            try db.create(table: "session") { table in
                table.primaryKey("id", .text)
                table.column("name", .text).notNull()
                table.column("state", .text).notNull()
                table.column("instance", .text)
                table.column("created_at", .double).notNull()
                table.column("last_used_at", .double).notNull()
                table.column("command_count", .integer).notNull().defaults(to: 0)
                table.column("latest_checkpoint", .text)
                table.column("owner", .text)
            }
        }
        migrator.registerMigration("v2 journal") { db in
            try db.alter(table: "session") { table in
                table.add(column: "journal_seq", .integer).notNull().defaults(to: 0)
                table.add(column: "journal_pruned", .integer).notNull().defaults(to: 0)
                table.add(column: "diverged", .text)
            }
            // One row per acknowledged mutating command, in order (SessionJournal).
            try db.create(table: "journal") { table in
                table.column("session", .text).notNull()
                table.column("seq", .integer).notNull()
                table.column("op", .text).notNull()
                table.column("params", .text).notNull()
                table.column("changed", .text)
                table.column("ts", .double).notNull()
                table.primaryKey(["session", "seq"])
            }
        }
        return migrator
    }

    // MARK: Journal

    /// Writes one journal entry; with `durable`, fsynced before this returns.
    func appendJournal(_ entry: JournalEntry) throws {
        try database.write { db in
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO journal (session, seq, op, params, changed, ts) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [entry.session, entry.seq, entry.op, entry.params, entry.changed, entry.timestamp])
        }
    }

    /// Entries of `session` after `seq`, in order.
    func journal(of session: String, after seq: Int) throws -> [JournalEntry] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM journal WHERE session = ? AND seq > ? ORDER BY seq", arguments: [session, seq])
                .map { row in
                    JournalEntry(session: row["session"], seq: row["seq"], op: row["op"], params: row["params"],
                                 changed: row["changed"], timestamp: row["ts"])
                }
        }
    }

    /// The oldest entry kept for `session` (nil: none), to tell a pruned journal from a short one.
    func oldestJournalSeq(of session: String) throws -> Int? {
        try database.read { db in
            try Int.fetchOne(db, sql: "SELECT MIN(seq) FROM journal WHERE session = ?", arguments: [session])
        }
    }

    /// The newest entry of every session, so sequence numbers continue after a restart.
    func newestJournalSeqs() throws -> [String: Int] {
        try database.read { db in
            var seqs: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT session, MAX(seq) AS seq FROM journal GROUP BY session") {
                seqs[row["session"]] = row["seq"]
            }
            return seqs
        }
    }

    /// Deletes `session`'s entries from `seq` on (`from: true`) or up to and including it.
    func deleteJournal(of session: String, seq: Int, from: Bool) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM journal WHERE session = ? AND seq \(from ? ">=" : "<=") ?", arguments: [session, seq])
        }
    }

    func loadAll() throws -> [Session] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM session").compactMap(Self.session)
        }
    }

    /// Inserts or replaces these sessions in one transaction.
    func save(_ sessions: [Session]) throws {
        guard !sessions.isEmpty else { return }
        try database.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO session
                  (id, name, state, instance, created_at, last_used_at, command_count, latest_checkpoint, owner,
                   journal_seq, journal_pruned, diverged)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for session in sessions {
                try statement.execute(
                    arguments: [session.id, session.name, session.state.rawValue, session.instance,
                                session.createdAt.timeIntervalSince1970, session.lastUsedAt.timeIntervalSince1970,
                                session.commandCount, session.latestCheckpoint, session.owner,
                                session.journalReserved, session.journalPruned, session.diverged.map { String(decoding: JSONWriter().bytes($0), as: UTF8.self) }])
            }
        }
    }

    private static func session(_ row: Row) -> Session? {
        guard let id: String = row["id"], let stateName: String = row["state"],
              let state = Session.State(rawValue: stateName) else { return nil }
        return Session(
            id: id, name: row["name"] ?? id, state: state, instance: row["instance"],
            createdAt: Date(timeIntervalSince1970: row["created_at"] ?? 0),
            lastUsedAt: Date(timeIntervalSince1970: row["last_used_at"] ?? 0),
            commandCount: row["command_count"] ?? 0, latestCheckpoint: row["latest_checkpoint"], owner: row["owner"],
            journalSeq: row["journal_seq"] ?? 0, journalReserved: row["journal_seq"] ?? 0,
            journalPruned: row["journal_pruned"] ?? 0,
            diverged: (row["diverged"] as String?).flatMap { try? JSONParser.parse(Array($0.utf8)) })
    }
}

/// The WAL checkpoint is the registry's one fsync. Left to SQLite it runs inside whichever
/// commit crosses 1,000 pages, stalling the broker's loop for milliseconds (the p99 of session
/// creation); here a second connection does it once a second on its own queue, PASSIVE, so it
/// never waits for or blocks the loop's writes. A failing checkpoint is logged: the WAL would
/// grow until one succeeds.
private final class WALCheckpoints {
    private let timer: DispatchSourceTimer

    /// `durable` (BMCP_DURABILITY=safe): every commit is fsynced before it returns, so a
    /// journal entry survives a machine crash, not only a crash of the broker.
    init(path: String, durable: Bool = false) throws {
        var configuration = Configuration()
        configuration.label = "session-registry.checkpoints"
        configuration.busyMode = .timeout(5)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "session-registry.checkpoints"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        let logger = Logger(label: "session-broker.registry")
        timer.setEventHandler {
            do {
                _ = try connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            } catch {
                logger.error("WAL checkpoint of \(path) failed: \(error)")
            }
        }
        timer.resume()
    }

    deinit {
        timer.cancel()
    }
}
