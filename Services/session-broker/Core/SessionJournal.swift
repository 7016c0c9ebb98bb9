import BusMessages
import Foundation
import ServiceKit

/// The session journal: every acknowledged mutating command, in order, in the broker's
/// registry (docs/ARCHITECTURE.md, "Journal"). The broker is where every command passes and
/// the one that acknowledges it, so the entry is written here, after Blender's success and
/// before the answer leaves, in the same SQLite file as the sessions.
///
/// Checkpoints say which journal number they hold (the addon names them `…-j<seq>.blend`),
/// so a restore replays exactly the entries after it (`SessionRestore.swift`).
extension SessionBroker {
    /// Writes the journal entry of a successful command; its answer carries a warning when the
    /// write failed (the command took effect, but a crash of its Blender would lose it).
    func journal(_ answer: Envelope, of pending: InFlight, seq: Int) -> Envelope {
        guard let id = pending.request.session, let op = pending.request.op else { return answer }
        let entry = JournalEntry(
            session: id, seq: seq, op: op, params: Self.text(pending.request.params ?? [:]),
            changed: answer.result?["changed"].map(Self.text), timestamp: Date().timeIntervalSince1970)
        do {
            try sessions.appendJournal(entry)
            return answer
        } catch {
            logger.error("\(error.message)")
            var warned = answer
            var meta = warned.meta?.objectValue ?? [:]
            meta["journal_warning"] = .string("\(op) took effect but could not be journaled (\(error.message)); a crash of this Blender before its next checkpoint would lose it")
            warned.meta = .object(meta)
            return warned
        }
    }

    /// A checkpoint of `id` holding journal entries up to `seq` was written: entries older than
    /// the oldest checkpoint the addon still keeps are no longer needed for any restore.
    func noteCheckpoint(_ path: String, session id: String) {
        guard let seq = Self.journalSeq(ofCheckpoint: path) else { return }
        var seqs = checkpointSeqs[id] ?? []
        seqs.append(seq)
        if seqs.count > Self.checkpointsKept {
            seqs.removeFirst(seqs.count - Self.checkpointsKept)
            sessions.dropJournal(of: id, seq: seqs[0], from: false)
        }
        checkpointSeqs[id] = seqs
    }

    /// The addon's default BMCP_CHECKPOINT_KEEP: a restore may fall back this far.
    static let checkpointsKept = 5

    /// `…-j42.blend` → 42; nil for names without one (checkpoints from before the journal).
    static func journalSeq(ofCheckpoint path: String) -> Int? {
        guard path.hasSuffix(".blend"), let marker = path.range(of: "-j", options: .backwards) else { return nil }
        return Int(path[marker.upperBound..<path.index(path.endIndex, offsetBy: -".blend".count)])
    }

    static func text(_ value: JSONValue) -> String {
        String(decoding: JSONWriter().bytes(value), as: UTF8.self)
    }
}
