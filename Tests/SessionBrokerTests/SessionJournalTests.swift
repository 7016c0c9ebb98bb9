import BusMessages
import Foundation
import Testing
@testable import SessionBrokerCore

/// The journal's own rules, on a real registry file: numbers are never handed out twice, even
/// across a restart that lost the batched counters; entries come back in order; checkpoints
/// name the number they hold.
@Suite struct SessionJournalTests {
    static func folder() -> URL {
        URL(fileURLWithPath: "/tmp/bmcp-journal-\(RandomID.hex(8))", isDirectory: true)
    }

    @Test func numbersContinueAboveEverythingAnEarlierRunMayHaveHandedOut() throws {
        let data = Self.folder()
        var registry: SessionRegistry? = try SessionRegistry(dataDirectory: data)
        let session = try registry!.create(id: "s-journal", name: nil, owner: nil)
        var handed: [Int] = []
        for _ in 0..<5 { handed.append(try registry!.nextJournalSeq(session.id)) }
        try registry!.appendJournal(JournalEntry(session: session.id, seq: 2, op: "object.create", params: #"{"type":"cube"}"#,
                                                  changed: nil, timestamp: 1))
        registry = nil  // as a kill -9 would: the batched counters were never flushed
        let reopened = try SessionRegistry(dataDirectory: data)
        let next = try reopened.nextJournalSeq(session.id)
        #expect(handed == [1, 2, 3, 4, 5])
        #expect(next > 5, "number \(next) may already be in a checkpoint of the earlier run")
        let journal = try reopened.journal(of: session.id, after: 0)
        #expect(journal.entries.map(\.seq) == [2] && journal.oldest == 2)
        #expect(journal.entries.first?.params == #"{"type":"cube"}"#)
    }

    @Test func droppingTheJournalFromAnEntryOnKeepsWhatCameBefore() throws {
        let data = Self.folder()
        var registry = try SessionRegistry(dataDirectory: data)
        let session = try registry.create(id: "s-drop", name: nil, owner: nil)
        for seq in 1...6 {
            try registry.appendJournal(JournalEntry(session: session.id, seq: seq, op: "object.create", params: "{}", changed: nil, timestamp: 0))
        }
        registry.dropJournal(of: session.id, seq: 5, from: true)
        registry.dropJournal(of: session.id, seq: 2, from: false)
        #expect(try registry.journal(of: session.id, after: 0).entries.map(\.seq) == [3, 4])
        // How far it was pruned survives a restart: a scene older than that is never taken for complete.
        registry = try SessionRegistry(dataDirectory: data)
        #expect(registry.sessions[session.id]?.journalPruned == 2)
    }

    @Test func checkpointNamesCarryTheirJournalNumber() {
        #expect(SessionBroker.journalSeq(ofCheckpoint: "/d/checkpoints/20261202T050000000Z-000003-j42.blend") == 42)
        #expect(SessionBroker.journalSeq(ofCheckpoint: "/d/checkpoints/20261202T050000000Z-000003.blend") == nil)
    }

    @Test func onlyCommandsThatChangeTheSceneAreJournaled() {
        #expect(Op.isJournaled("object.create") && Op.isJournaled("code.execute") && Op.isJournaled("arch.wall"))
        for op in ["scene.info", "object.info", "scene.snapshot", "session.checkpoint", "session.restore",
                   "render.image", "file.export", "file.save", "collection.list"] {
            #expect(!Op.isJournaled(op), "\(op)")
        }
    }
}
