import BusMessages
import Foundation
import Testing
@testable import LogWriterCore

@Suite struct SessionFilesTests {
    func temporaryData() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("logs-\(UUID().uuidString)").path
    }

    func command(_ seq: UInt64, session: String = "s-1", op: String = Op.codeExecute, params: JSONValue = ["code": "print('hi')"],
                 failed: Bool = false, extra: [String: JSONValue] = [:]) -> Envelope {
        var payload: [String: JSONValue] = ["request_id": .string("r\(seq)"), "op": .string(op), "params": params, "duration_ms": 1.5,
                                            "tool": "execute_blender_code"]
        for (key, value) in extra { payload[key] = value }
        return Envelope(kind: .event, op: failed ? EventName.commandFailed : EventName.commandCompleted, session: session,
                        params: .object(payload), ts: "2026-11-25T12:00:00.000Z", seq: seq, source: "session-broker/ab12")
    }

    func lines(_ data: String, _ session: String, _ file: String) throws -> [JSONValue] {
        try String(contentsOfFile: "\(data)/sessions/\(session)/\(file)", encoding: .utf8)
            .split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
    }

    @Test func oneLinePerCommandWithCodeKeptBesideIt() throws {
        let data = temporaryData()
        let files = try SessionFiles(dataDirectory: data)
        _ = try files.record(command(1, extra: ["stdout": "hi\n", "changed": ["created": ["Cube.001"]]]))
        _ = try files.record(command(2, op: Op.objectInfo, params: ["name": "Cube"], failed: true,
                                     extra: ["error": ["code": "not_found", "message": "no object named 'Cube'", "detail": "Traceback…"]]))
        let log = try lines(data, "s-1", "command.log")
        #expect(log.count == 2)
        #expect(log[0]["status"] == "ok" && log[0]["tool"] == "execute_blender_code" && log[0]["seq"] == 1)
        #expect(log[0]["params"]?["code"]?["file"] == "code/000001.py")
        #expect(log[0]["changed"]?["created"] == ["Cube.001"])
        #expect(log[1]["status"] == "error" && log[1]["error"]?["code"] == "not_found")
        #expect(try String(contentsOfFile: "\(data)/sessions/s-1/code/000001.py", encoding: .utf8) == "print('hi')")
        let blender = try String(contentsOfFile: "\(data)/sessions/s-1/blender.log", encoding: .utf8)
        #expect(blender.contains("[r1] stdout | hi"))
        #expect(blender.contains("error  | not_found: no object named 'Cube'"))
        #expect(blender.contains("trace  | Traceback…"))
    }

    @Test func largeValuesAreElidedToHashAndSize() throws {
        let big = String(repeating: "x", count: 5000)
        let elided = CommandRecord.elide(["image": .string(big), "name": "Cube"], codeFile: nil)
        #expect(elided["image"]?["bytes"] == 5000)
        #expect(elided["image"]?["fnv1a64"]?.stringValue?.count == 16)
        #expect(elided["name"] == "Cube")
        #expect(CommandRecord.fnv1a64("") == "cbf29ce484222325")
    }

    @Test func lifecycleEventsGoToEventsLog() throws {
        let data = temporaryData()
        let files = try SessionFiles(dataDirectory: data)
        let changed = try files.record(Envelope(kind: .event, op: EventName.sessionCreated, session: "s-2",
                                                params: ["name": "tea house"], seq: 1, source: "session-broker/ab12"))
        #expect(changed == ["events.log"])
        #expect(try lines(data, "s-2", "events.log")[0]["name"] == "tea house")
    }

    @Test func recoveryFindsTheLastSequenceAndDropsAHalfWrittenLine() throws {
        let data = temporaryData()
        let files = try SessionFiles(dataDirectory: data)
        for seq: UInt64 in 1...3 { _ = try files.record(command(seq, session: seq == 2 ? "s-b" : "s-a")) }
        let log = URL(fileURLWithPath: "\(data)/sessions/s-a/command.log")
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq": 4, "source": "session-broker/ab12", "trunc"#.utf8))
        try handle.close()
        let recovered = try SessionFiles(dataDirectory: data)
        #expect(recovered.recoverLastSequences() == ["session-broker/ab12": 3])
        #expect(try String(contentsOf: log, encoding: .utf8).hasSuffix("}\n"))
    }

    @Test(arguments: ["../escape", "a/b", "..", ".hidden", "", String(repeating: "x", count: 200)])
    func refusesSessionIDsThatAreNotSafeFolderNames(id: String) throws {
        let data = temporaryData()
        let files = try SessionFiles(dataDirectory: data)
        #expect(throws: BusError.self) { _ = try files.record(command(1, session: id)) }
        #expect(throws: BusError.self) { _ = try files.read(id, file: "command.log") }
        #expect(!FileManager.default.fileExists(atPath: "\(data)/escape"))
    }

    @Test func readsWholeFilesOrTheirTailAndRefusesOtherNames() throws {
        let data = temporaryData()
        let files = try SessionFiles(dataDirectory: data)
        for seq in 1...5 { _ = try files.record(command(UInt64(seq))) }
        let tail = try files.read("s-1", file: "command.log", window: .init(tail: 2))
        #expect(tail["truncated"] == true)
        #expect(tail["content"]?.stringValue?.split(separator: "\n").count == 2)
        #expect(tail["content"]?.stringValue?.contains("\"seq\":5") == true)
        let page = try files.read("s-1", file: "command.log", window: .init(offset: 1, limit: 2))
        let lines = page["content"]?.stringValue?.split(separator: "\n") ?? []
        #expect(lines.count == 2 && lines[0].contains("\"seq\":2") && lines[1].contains("\"seq\":3"))
        #expect(page["lines"] == 5)
        #expect(throws: BusError.self) { _ = try files.read("s-1", file: "render.png") }  // none rendered yet
        do {
            _ = try files.read("s-1", file: "../../etc/passwd")
            Issue.record("read an arbitrary file")
        } catch {
            #expect(error.message.contains("must be one of"))
        }
    }

    @Test func aDiskFullWriteFailsWithoutLosingTheEvent() throws {
        let data = temporaryData()
        let files = try SessionFiles(dataDirectory: data)
        try FileManager.default.createDirectory(atPath: "\(data)/sessions/s-full", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(data)/sessions/s-full/command.log", withDestinationPath: "/dev/full")
        #expect(throws: (any Error).self) { _ = try files.record(command(1, session: "s-full", params: ["name": "Cube"])) }
        try FileManager.default.removeItem(atPath: "\(data)/sessions/s-full/command.log")
        _ = try files.record(command(1, session: "s-full", params: ["name": "Cube"]))
        #expect(try lines(data, "s-full", "command.log").count == 1)
    }

    @Test func aRetriedEventWritesEachFileOnce() throws {
        let data = temporaryData()
        let files = try SessionFiles(dataDirectory: data)
        try FileManager.default.createDirectory(atPath: "\(data)/sessions/s-part", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(data)/sessions/s-part/command.log", withDestinationPath: "/dev/full")
        let event = command(7, session: "s-part", extra: ["stdout": "printed once\n"])
        do {
            _ = try files.record(event)
            Issue.record("wrote to /dev/full")
        } catch let error as FileError {
            // The symlink itself is refused (O_NOFOLLOW: a link planted where a log goes must
            // not redirect it), which fails the write as a full disk would.
            #expect(error.description.hasSuffix("command.log: Too many levels of symbolic links"))
        }
        try FileManager.default.removeItem(atPath: "\(data)/sessions/s-part/command.log")
        #expect(try files.record(event) == ["command.log", "blender.log"])
        let blender = try String(contentsOfFile: "\(data)/sessions/s-part/blender.log", encoding: .utf8)
        #expect(blender.components(separatedBy: "printed once").count == 2)
        #expect(try lines(data, "s-part", "command.log").map { $0["seq"] } == [7])
    }

    @Test func recoveryReadsOnlyTheEndOfALongLog() throws {
        let data = temporaryData()
        let files = try SessionFiles(dataDirectory: data)
        let padding = String(repeating: "p", count: 300)
        for seq in 1...3000 { _ = try files.record(command(UInt64(seq), session: "s-long", params: ["name": .string(padding)], extra: ["stdout": .string("line \(seq)\n")])) }
        for name in ["command.log", "blender.log"] {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(data)/sessions/s-long/\(name)"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("{\"cut".utf8))
            try handle.close()
        }
        #expect(SessionFiles(dataDirectory: data).recoverLastSequences() == ["session-broker/ab12": 3000])
        #expect(try lines(data, "s-long", "command.log").count == 3000)
        #expect(try String(contentsOfFile: "\(data)/sessions/s-long/blender.log", encoding: .utf8).hasSuffix("stdout | line 3000\n"))
        let recent = files.commandLines("s-long", limit: 2)
        #expect(recent.total == 3000 && recent.lines.map { $0["seq"] } == [2999, 3000])
    }

    @Test func aLineCutShortIsRemovedBeforeTheNextAppend() throws {
        let data = temporaryData()
        _ = try SessionFiles(dataDirectory: data).record(command(1))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(data)/sessions/s-1/command.log"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq": 2, "cut"#.utf8))
        try handle.close()
        // No recovery pass (as when the disk was read-only at start-up): the append itself cuts it.
        _ = try SessionFiles(dataDirectory: data).record(command(2))
        #expect(try lines(data, "s-1", "command.log").map { $0["seq"] } == [1, 2])
    }

    @Test func anUnwritableDataDirectoryIsReportedNotFatal() throws {
        let files = SessionFiles(dataDirectory: "/proc/self/bmcp-data")
        #expect(files.writableError()?.description.hasPrefix("/proc/self/bmcp-data") == true)
        #expect(files.sessionIDs().isEmpty)
        #expect(throws: (any Error).self) { _ = try files.record(command(1)) }
        #expect(SessionFiles(dataDirectory: temporaryData()).writableError() == nil)
    }
}

@Suite struct EventSequencerTests {
    func event(_ seq: UInt64, source: String = "session-broker/a") -> Envelope {
        Envelope(kind: .event, op: EventName.commandCompleted, session: "s", seq: seq, source: source)
    }

    @Test func inOrderEventsPassAndDuplicatesDrop() {
        var sequencer = EventSequencer()
        #expect(sequencer.accept(event(1)).ready.count == 1)
        #expect(sequencer.accept(event(2)).ready.count == 1)
        #expect(sequencer.accept(event(2)).ready.isEmpty)
        #expect(sequencer.last["session-broker/a"] == 2)
    }

    @Test func aGapHoldsLaterEventsUntilItIsFilled() {
        var sequencer = EventSequencer(last: ["session-broker/a": 1])
        let early = sequencer.accept(event(4))
        #expect(early.ready.isEmpty && early.missingAfter == 1)
        #expect(sequencer.accept(event(2)).ready.map(\.seq) == [2])
        #expect(sequencer.accept(event(3)).ready.map(\.seq) == [3, 4])
        #expect(!sequencer.hasGaps)
    }

    @Test func aHeadAheadOfWhatWasWrittenIsATailGap() {
        let sequencer = EventSequencer(last: ["session-broker/a": 7])
        #expect(sequencer.missing(source: "session-broker/a", head: 9) == 7)
        #expect(sequencer.missing(source: "session-broker/a", head: 7) == nil)
        #expect(sequencer.missing(source: "session-broker/new", head: 3) == 0)
    }

    @Test func eventsOlderThanTheHistoryAreSkippedAndReported() {
        var sequencer = EventSequencer(last: ["session-broker/a": 2])
        _ = sequencer.accept(event(10))
        let skipped = sequencer.skip(source: "session-broker/a", before: 10)
        #expect(skipped.lost == 3...9)
        #expect(skipped.ready.map(\.seq) == [10])
        #expect(sequencer.last["session-broker/a"] == 10)
    }
}

@Suite struct DesignDocumentTests {
    /// The 8 × 6 m gable house as the addon's snapshot reports it: arch records on every object.
    static let house: JSONValue = [
        "objects": [
            ["name": "Camera", "type": "CAMERA", "template_default": true, "location": [7, -7, 5],
             "world_bounding_box": ["min": [7, -7, 5], "max": [7, -7, 5]]],
            ["name": "Slab", "type": "MESH", "collection": "Slabs", "dimensions": [8, 6, 0.2], "location": [0, 0, 0],
             "world_bounding_box": ["min": [0, 0, -0.2], "max": [8, 6, 0]],
             "arch": ["kind": "slab", "outline": [[0, 0], [8, 0], [8, 6], [0, 6]], "thickness": 0.2, "top_z": 0, "area": 48]],
            ["name": "Wall", "type": "MESH", "collection": "Walls", "materials": ["Plaster"],
             "world_bounding_box": ["min": [-0.075, -0.075, 0], "max": [8.075, 0.075, 2.4]],
             "arch": ["kind": "wall", "start": [-0.075, 0], "end": [8.075, 0], "length": 8.15, "height": 2.4, "thickness": 0.15, "base_z": 0,
                      "bounds": [["room": "Living", "side": "south", "x": 0, "y": 0, "width": 8, "depth": 6]],
                      "openings": [["kind": "door", "offset": 4.075, "width": 0.9, "height": 2.1, "sill": 0, "room": "Living", "side": "south", "side_offset": 4]]]],
            ["name": "Wall.001", "type": "MESH", "collection": "Walls",
             "world_bounding_box": ["min": [-0.075, 5.925, 0], "max": [8.075, 6.075, 2.4]],
             "arch": ["kind": "wall", "start": [-0.075, 6], "end": [8.075, 6], "length": 8.15, "height": 2.4, "thickness": 0.15, "base_z": 0,
                      "bounds": [["room": "Living", "side": "north", "x": 0, "y": 0, "width": 8, "depth": 6]]]],
            ["name": "Roof", "type": "MESH", "collection": "Roofs", "world_bounding_box": ["min": [-0.45, -0.45, 1.9], "max": [8.45, 6.45, 4.132]],
             "arch": ["kind": "roof", "type": "gable", "ridge_axis": "x", "width": 8, "depth": 6, "origin": [0, 0], "base_z": 2.4, "pitch_deg": 30,
                      "overhang": 0.45, "thickness": 0.2, "eave_z": 2.14, "ridge_z": 4.132, "ridge_length": 8.9]],
            ["name": "Tree", "type": "MESH", "collection": "Garden", "dimensions": [1, 1, 3], "location": [12, 3, 0],
             "world_bounding_box": ["min": [11.5, 2.5, 0], "max": [12.5, 3.5, 3]]],
        ],
        "materials": [["name": "Plaster", "base_color": [1, 1, 1, 1]]],
    ]

    @Test func describesTheBuildingNotATableOfObjects() {
        let steps: [JSONValue] = [
            ["seq": 3, "ts": "2026-11-25T12:00:01.000Z", "tool": "create_slab", "status": "ok", "params": ["width": 8], "changed": ["created": ["Slab"]]],
            ["seq": 4, "ts": "2026-11-25T12:00:02.000Z", "op": "object.info", "status": "error", "error": ["message": "no object named 'X'"]],
        ]
        let text = DesignDocument(sessionID: "s-1", name: "Small house", scene: Self.house, steps: steps, totalSteps: 60,
                                  firstStep: steps[0], hasRender: true, hasDrawings: true).render()
        #expect(text.hasPrefix("# Small house\n"))
        #expect(text.contains("A 1-storey building with 1 room under a gable roof."))
        #expect(text.contains("| Living | 1 | 8.00 × 6.00 m | 48.0 m² |"))
        #expect(text.contains("| door | Wall | Living south | 0.90 × 2.10 m | 0.00 m | centre 4.08 m from the wall's west end; 4.00 m along the south side of Living (centred) |"))
        #expect(text.contains("| Roof | gable | 30.0° | x (east–west) | 0.45 m | 2.40 m (eave edge 2.14 m) | **4.13 m** | open (no gable walls) |"))
        #expect(text.contains("**8.15 × 6.15 m** (outside faces of the walls"))
        #expect(text.contains("## Other objects") && text.contains("| Tree | mesh | 1.00 × 1.00 × 3.00 |"))
        #expect(!text.contains("| Camera"))
        #expect(text.contains("![Plan](plan.svg)") && text.contains("**Plaster** — base colour #FFFFFF — on Wall"))
        #expect(text.contains("_The last 2 of 60 steps._") && text.contains("failed: no object named 'X'"))
        #expect(text.contains("![Latest render](renders/latest.png)"))
    }

    @Test func japaneseSessionsReadInJapanese() {
        let language = DesignLanguage.choose(setting: "auto", sessionName: "平屋の家")
        #expect(language == .ja)
        #expect(DesignLanguage.choose(setting: "en", sessionName: "平屋") == .en)
        #expect(DesignLanguage.choose(setting: "auto", sessionName: "small house") == .en)
        let text = DesignDocument(sessionID: "s-1", name: "平屋の家", scene: Self.house, steps: [], totalSteps: 0,
                                  firstStep: nil, hasRender: false, language: language).render()
        #expect(text.contains("## 間取り") && text.contains("48.0 m² (29.6 畳)") && text.contains("延床面積"))
        #expect(text.contains("30.0°（5.8寸勾配）") && text.contains("| ドア | Wall | Living 南 |"))
    }

    @Test func drawingsCarryTheNumbers() throws {
        let facts = BuildingFacts(scene: Self.house)
        let plan = try #require(PlanDrawing(facts: facts, language: .en).render())
        #expect(plan.hasPrefix("<svg") && plan.contains("class=\"door\" data-wall=\"Wall\" data-width=\"0.900\" data-height=\"2.100\""))
        #expect(plan.contains("data-area=\"48.000\"") && plan.contains(">48.0 m²</text>") && plan.contains("class=\"door-swing\""))
        #expect(plan.contains("class=\"dimension\" data-length=\"8.000\""))
        let elevation = try #require(ElevationDrawing(facts: facts, language: .en).render())
        #expect(elevation.contains("data-ridge-z=\"4.132\"") && elevation.contains("data-kind=\"door\""))
    }

    @Test func anEmptySessionSaysSo() {
        let text = DesignDocument(sessionID: "s-1", name: "s-1", scene: nil, steps: [], totalSteps: 0, firstStep: nil, hasRender: false).render()
        #expect(text.contains("Nothing has been built yet."))
        #expect(PlanDrawing(facts: BuildingFacts(scene: nil), language: .en).render() == nil)
    }
}
