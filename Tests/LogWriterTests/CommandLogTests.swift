import BusMessages
import Foundation
import Testing
@testable import LogWriterCore

@Suite struct CommandLogTests {
    func temporaryData() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("logs-\(UUID().uuidString)").path
    }

    @Test func appendsOneJSONLinePerEventInOrder() throws {
        let data = temporaryData()
        let log = try CommandLog(dataDirectory: data)
        for seq in 1...3 {
            try log.append(Envelope(kind: .event, op: EventName.commandCompleted, session: "s-1",
                                    params: ["op": "scene.info", "duration_ms": 1.5], seq: UInt64(seq), source: "bridge"))
        }
        let text = try String(contentsOfFile: "\(data)/sessions/s-1/command.log", encoding: .utf8)
        let lines = text.split(separator: "\n").map { try! JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        #expect(lines.map { $0["seq"] } == [1, 2, 3])
        #expect(lines[0]["op"] == "scene.info")
        #expect(lines[0]["event"] == .string(EventName.commandCompleted))
    }

    @Test func lifecycleEventsGoToTheirOwnLog() throws {
        let data = temporaryData()
        let log = try CommandLog(dataDirectory: data)
        try log.append(Envelope(kind: .event, op: EventName.commandStarted, session: "s-2", params: ["op": "scene.info"]))
        try log.append(Envelope(kind: .event, op: EventName.sessionCreated, session: "s-2"))
        try log.append(Envelope(kind: .event, op: EventName.commandFailed, session: "s-2", params: ["op": "object.info"]))
        let commands = try String(contentsOfFile: "\(data)/sessions/s-2/command.log", encoding: .utf8).split(separator: "\n")
        let events = try String(contentsOfFile: "\(data)/sessions/s-2/events.log", encoding: .utf8).split(separator: "\n")
        #expect(commands.count == 1 && commands[0].contains("command.failed"))
        #expect(events.count == 2)
    }

    @Test(arguments: ["../escape", "a/b", "..", ".hidden", "", String(repeating: "x", count: 200)])
    func refusesSessionIDsThatAreNotSafeFolderNames(id: String) throws {
        let data = temporaryData()
        let log = try CommandLog(dataDirectory: data)
        #expect(throws: BusError.self) {
            try log.append(Envelope(kind: .event, op: EventName.commandStarted, session: id))
        }
        #expect(!FileManager.default.fileExists(atPath: "\(data)/escape"))
    }

    @Test func eventsWithoutASessionAreNotSessionLogs() throws {
        let data = temporaryData()
        let log = try CommandLog(dataDirectory: data)
        try log.append(Envelope(kind: .event, op: EventName.bridgeJoined))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(data)/sessions").isEmpty)
    }
}
