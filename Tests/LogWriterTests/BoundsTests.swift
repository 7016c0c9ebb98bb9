import BusMessages
import Foundation
import Testing
@testable import LogWriterCore

/// log-writer's bounds: descriptors (OpenFiles) and the events held while it cannot write
/// (EventBacklog).
@Suite struct BoundsTests {
    func command(_ seq: UInt64, session: String, source: String = "session-broker/ab12", code: String = "print('hi')") -> Envelope {
        Envelope(kind: .event, op: EventName.commandCompleted, session: session,
                 params: ["request_id": .string("r\(seq)"), "op": .string(Op.codeExecute), "params": ["code": .string(code)],
                          "duration_ms": 1.5, "tool": "execute_blender_code", "stdout": "hi\n"],
                 ts: "2026-11-25T12:00:00.000Z", seq: seq, source: source)
    }

    /// Descriptors of this process open on files under `folder`.
    func openDescriptors(under folder: String) -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)"))?.hasPrefix(folder) == true }.count
    }

    @Test func aThousandSessionsHoldNoMoreThanTheCapOfFilesOpenAndLoseNoLine() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bounds-\(UUID().uuidString)").path
        let files = SessionFiles(dataDirectory: data, openFiles: 8)
        for round in 0..<2 {
            for index in 0..<500 {
                _ = try files.record(command(UInt64(round * 500 + index + 1), session: "s-\(index)"))
            }
        }
        #expect(files.openFileCount <= 8)
        #expect(openDescriptors(under: data) <= 8)
        for index in [0, 7, 250, 499] {
            let log = try String(contentsOfFile: "\(data)/sessions/s-\(index)/command.log", encoding: .utf8)
            #expect(log.split(separator: "\n").count == 2, "s-\(index): \(log)")
            let blender = try String(contentsOfFile: "\(data)/sessions/s-\(index)/blender.log", encoding: .utf8)
            #expect(blender.components(separatedBy: "stdout | hi").count == 3)
        }
    }

    @Test func closedSessionsAreForgottenAndComeBackWhole() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bounds-\(UUID().uuidString)").path
        let files = SessionFiles(dataDirectory: data, openFiles: 8)
        for index in 0..<300 { _ = try files.record(command(UInt64(index + 1), session: "s-\(index)")) }
        #expect(files.rememberedSessions == 300)
        for index in 0..<300 { files.closeFiles(of: "s-\(index)") }
        #expect(files.rememberedSessions == 0)
        _ = try files.record(command(301, session: "s-7"))  // resumed: its folder found again
        let log = try String(contentsOfFile: "\(data)/sessions/s-7/command.log", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 2)
        #expect(files.rememberedSessions == 1)
        // Sessions never closed are remembered up to a cap, not for ever.
        for index in 0..<(SessionFiles.rememberedFolders + 100) { _ = try files.folder("s-open-\(index)") }
        #expect(files.rememberedSessions <= SessionFiles.rememberedFolders)
    }

    @Test func aClosedSessionsFilesAreClosed() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bounds-\(UUID().uuidString)").path
        let files = SessionFiles(dataDirectory: data, openFiles: 64)
        _ = try files.record(command(1, session: "s-a"))
        _ = try files.record(command(2, session: "s-b"))
        #expect(openDescriptors(under: "\(data)/sessions/s-a/") == 2)  // command.log, blender.log
        files.closeFiles(of: "s-a")
        #expect(openDescriptors(under: "\(data)/sessions/s-a/") == 0)
        #expect(openDescriptors(under: "\(data)/sessions/s-b/") == 2)
        _ = try files.record(command(3, session: "s-a"))  // resumed: opened again, appended
        #expect(try String(contentsOfFile: "\(data)/sessions/s-a/command.log", encoding: .utf8).split(separator: "\n").count == 2)
    }

    @Test func theBacklogHoldsUpToItsCapThenNotesWhereToFetchAgain() {
        var backlog = EventBacklog(capacity: 2048)
        var starts: [(String, UInt64)] = []
        for seq in 1...40 {
            if let start = backlog.hold(command(UInt64(seq), session: "s-1", code: String(repeating: "x", count: 200))) {
                starts.append(start)
            }
        }
        #expect(backlog.bytes <= 2048 && !backlog.events.isEmpty)
        let held = backlog.events.compactMap(\.seq)
        #expect(held == Array(1...UInt64(held.count)))  // a prefix, in order
        #expect(starts.count == 1 && starts[0].1 == UInt64(held.count + 1))
        #expect(backlog.isShedding("session-broker/ab12") && !backlog.isShedding("session-broker/other"))
        #expect(backlog.summary.contains("BMCP_LOG_BACKLOG_BYTES"))
        #expect(backlog.takeEvents().count == held.count && backlog.events.isEmpty && backlog.bytes == 0)
        #expect(backlog.takeRefetch() == ["session-broker/ab12": UInt64(held.count + 1)])
        #expect(backlog.isEmpty)
    }

    @Test func oneEventLargerThanTheCapIsStillHeld() {
        var backlog = EventBacklog(capacity: 1024)
        #expect(backlog.hold(command(1, session: "s-1", code: String(repeating: "x", count: 5000))) == nil)
        #expect(backlog.events.count == 1)
    }

    @Test func aRewoundSequencerTakesTheEventsAgain() {
        var sequencer = EventSequencer()
        for seq in 1...5 { _ = sequencer.accept(command(UInt64(seq), session: "s-1")) }
        sequencer.rewind(source: "session-broker/ab12", before: 3)
        #expect(sequencer.last["session-broker/ab12"] == 2)
        #expect(sequencer.accept(command(3, session: "s-1")).ready.map(\.seq) == [3])
    }
}
