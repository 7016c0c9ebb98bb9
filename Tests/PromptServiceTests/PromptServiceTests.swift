import BusMessages
import Foundation
import ServiceKit
import Testing
import ZeroMQ
@testable import PromptServiceCore

/// A small dictionary written for the tests, so they check the rules rather than the data.
enum Fixture {
    static let stairs: JSONValue = [
        "id": "straight-stair", "kind": "element",
        "title": ["en": "Straight stair", "ja": "直階段"],
        "description": ["en": "A straight flight of steps.", "ja": "まっすぐな階段。"],
        "keywords": ["en": ["stairs", "steps"], "ja": ["階段"]], "aliases": ["en": ["staircase"], "ja": []],
        "arguments": [
            ["name": "rise", "type": "number", "unit": "m", "default": 2.8, "range": [0.5, 6], "required": false,
             "description": "Total rise"],
            ["name": "riser", "type": "number", "unit": "m", "default": 0.18, "range": [0.15, 0.2], "required": false,
             "description": "Riser height"],
            ["name": "finish", "type": "enum", "choices": ["timber", "concrete"], "default": "timber"],
        ],
        "materials": [["en": "oak", "ja": "オーク"]], "palette": ["#8B5A2B", "#F5F0E6"],
        "dimensions": ["tread": ["value": 0.26, "unit": "m", "range": [0.22, 0.3]]],
        "recipe": ["Call create_stairs with total_rise {rise} and riser_max {riser} in {finish}."],
        "related": ["tea-house"],
    ]
    static let teaHouse: JSONValue = [
        "id": "tea-house", "kind": "building_type",
        "title": ["en": "Tea house", "ja": "茶室"],
        "description": ["en": "A small room for the tea ceremony.", "ja": "茶の湯のための小さな建物。"],
        "keywords": ["en": ["tea ceremony", "chashitsu"], "ja": ["茶の湯", "数寄屋"]],
        "arguments": [], "recipe": ["Lay out a four-and-a-half mat room."],
    ]

    static func folder(_ files: [String: JSONValue]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, value) in files { try Data(JSONWriter().bytes(value)).write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    static func dictionary() throws -> PromptDictionary {
        try PromptDictionary.load(directory: folder(["elements.json": [stairs], "types.json": [teaHouse]]))
    }

    static func changed(_ entry: JSONValue, _ key: String, _ value: JSONValue?) -> JSONValue {
        var fields = entry.objectValue!
        fields[key] = value
        return .object(fields)
    }
}

@Suite struct PromptDictionaryTests {
    @Test func bundledDictionaryLoadsAndValidates() throws {
        let dictionary = try PromptDictionary.bundled()
        #expect(!dictionary.entries.isEmpty)
        #expect(dictionary.entry("detached-house")?["title"]?["ja"] == "戸建住宅")
    }

    @Test(arguments: [
        (Fixture.changed(Fixture.teaHouse, "title", ["en": "Tea house"]), "types.json", "field 'title.ja': required non-empty string"),
        (Fixture.changed(Fixture.teaHouse, "kind", "castle"), "types.json", "field 'kind': must be one of building_type, element, room, style"),
        (Fixture.changed(Fixture.teaHouse, "recipe", ["Use {width}."]), "types.json", "field 'recipe[0]': placeholder {width} is not an argument"),
        (Fixture.changed(Fixture.teaHouse, "related", ["nowhere"]), "types.json", "field 'related': no entry 'nowhere'"),
        (Fixture.changed(Fixture.teaHouse, "id", "Tea House"), "types.json", "field 'id': required kebab-case string (a-z, 0-9, '-')"),
        (Fixture.changed(Fixture.teaHouse, "palette", ["#FFF"]), "types.json", "field 'palette[0]': must be a #RRGGBB colour, got \"#FFF\""),
    ])
    func invalidEntriesNameFileEntryAndField(entry: JSONValue, file: String, problem: String) throws {
        let folder = try Fixture.folder(["elements.json": [Fixture.stairs], file: [entry]])
        do {
            _ = try PromptDictionary.load(directory: folder)
            Issue.record("loaded an invalid entry")
        } catch let error as DictionaryError {
            #expect(error.file == file)
            #expect(error.problem == problem)
        }
    }

    @Test func defaultsOutsideTheirRangeAreRefused() throws {
        var arguments = Fixture.stairs["arguments"]!.arrayValue!
        arguments[1] = ["name": "riser", "type": "number", "default": 0.4, "range": [0.15, 0.2]]
        let folder = try Fixture.folder(["e.json": [Fixture.changed(Fixture.stairs, "arguments", .array(arguments)), Fixture.teaHouse]])
        #expect(throws: DictionaryError.self) { _ = try PromptDictionary.load(directory: folder) }
    }

    @Test func duplicateIdsAcrossFilesAreRefused() throws {
        let folder = try Fixture.folder(["a.json": [Fixture.teaHouse, Fixture.stairs], "b.json": [Fixture.teaHouse]])
        do {
            _ = try PromptDictionary.load(directory: folder)
            Issue.record("loaded duplicate ids")
        } catch let error as DictionaryError {
            #expect(error.problem == "field 'id': duplicate of the entry in a.json")
        }
    }
}

@Suite struct PromptRenderingTests {
    @Test func rendersWithDefaultsAndGivenArguments() throws {
        let text = try PromptRenderer.render(Fixture.stairs, arguments: ["rise": "3.1"], lang: "en")
        #expect(text.contains("Straight stair (直階段)"))
        #expect(text.contains("1. Call create_stairs with total_rise 3.1 and riser_max 0.18 in timber."))
        #expect(text.contains("- tread: 0.26 m (0.22–0.3)"))
        #expect(text.contains("Materials: oak") && text.contains("Palette: #8B5A2B #F5F0E6"))
        let japanese = try PromptRenderer.render(Fixture.stairs, arguments: [:], lang: "ja")
        #expect(japanese.hasPrefix("直階段 (Straight stair)") && japanese.contains("手順"))
    }

    @Test func outOfRangeArgumentsAreRefusedWithTheRange() {
        do {
            _ = try PromptRenderer.render(Fixture.stairs, arguments: ["riser": 0.4], lang: "en")
            Issue.record("accepted a 0.4 m riser")
        } catch {
            #expect(error.message == "straight-stair: argument 'riser' = 0.4 m is outside the allowed range 0.15–0.2 m")
        }
        #expect(throws: BusError.self) { _ = try PromptRenderer.render(Fixture.stairs, arguments: ["finish": "glass"], lang: "en") }
        #expect(throws: BusError.self) { _ = try PromptRenderer.render(Fixture.stairs, arguments: ["rise": "tall"], lang: "en") }
        #expect(throws: BusError.self) { _ = try PromptRenderer.render(Fixture.stairs, arguments: ["colour": "red"], lang: "en") }
    }

    @Test func aBuildingPromptBeginsWithTheSessionThatRecordsIt() throws {
        let text = try PromptRenderer.render(Fixture.teaHouse, arguments: [:], lang: "en")
        #expect(text.contains("1. Start the session: `create_session` with name \"Tea house\", prompt \"tea-house\", prompt_arguments {}"))
        #expect(text.contains("2. Lay out a four-and-a-half mat room."))
        let japanese = try PromptRenderer.render(Fixture.teaHouse, arguments: [:], lang: "ja")
        #expect(japanese.contains("1. `create_session` with name \"茶室\", prompt \"tea-house\", prompt_arguments {} and language \"ja\""))
    }

    /// A brief keeps what was asked, outside the range too (flagged), and still names mistakes.
    @Test func aBriefRecordsEveryArgumentAndFlagsWhatLeavesItsRange() throws {
        let brief = try PromptBrief.make(Fixture.stairs, arguments: ["riser": "0.4"], lang: "ja")
        #expect(brief["entry"] == "straight-stair" && brief["language"] == "ja")
        let arguments = brief["arguments"]?.arrayValue ?? []
        #expect(arguments.map { $0["name"]?.stringValue ?? "" } == ["rise", "riser", "finish"])
        #expect(arguments[0]["value"] == .double(2.8) && arguments[0]["given"] == false && arguments[0]["outside"] == nil)
        #expect(arguments[1]["value"] == .double(0.4) && arguments[1]["given"] == true && arguments[1]["outside"] == true)
        #expect(arguments[1]["range"] == [0.15, 0.2] && arguments[1]["unit"] == "m")
        #expect(arguments[2]["value"] == "timber" && arguments[2]["choices"] == ["timber", "concrete"])
        #expect(throws: BusError.self) { _ = try PromptBrief.make(Fixture.stairs, arguments: ["colour": "red"], lang: "en") }
        #expect(throws: BusError.self) { _ = try PromptBrief.make(Fixture.stairs, arguments: ["rise": "tall"], lang: "en") }
    }
}

@Suite struct PromptSearchTests {
    @Test func findsByEnglishJapaneseAliasAndTypo() throws {
        let search = PromptSearch(dictionary: try Fixture.dictionary())
        #expect(search.search("tea house", lang: nil, limit: 3).first?.entry["id"] == "tea-house")
        #expect(search.search("茶室", lang: "ja", limit: 3).first?.entry["id"] == "tea-house")
        #expect(search.search("数寄屋の茶室", lang: nil, limit: 3).first?.entry["id"] == "tea-house")
        #expect(search.search("staircase", lang: nil, limit: 3).first?.entry["id"] == "straight-stair")
        #expect(search.search("stiars", lang: nil, limit: 3).first?.entry["id"] == "straight-stair")
        #expect(search.search("階段", lang: nil, limit: 3).first?.entry["id"] == "straight-stair")
        #expect(search.search("submarine", lang: nil, limit: 3).isEmpty)
    }
}

@Suite struct PromptServiceSocketTests {
    @Test func answersOverARealSocketAndReloadsOnChange() async throws {
        let endpoint = "ipc:///tmp/bmcp-prompts-test-\(UUID().uuidString.prefix(8))/prompts"
        let folder = try Fixture.folder(["elements.json": [Fixture.stairs], "types.json": [Fixture.teaHouse]])
        let service = PromptService(endpoint: endpoint, eventsInEndpoint: "inproc://unused-\(UUID().uuidString)", directory: folder)
        let running = Task { try await service.run() }
        let codec = EnvelopeCodec()
        let answers = try await DedicatedThread.run { () -> [Envelope] in
            let context = try Context()
            let client = try context.socket(.req)
            try client.set(.receiveTimeout(milliseconds: 5000))
            try client.connect(endpoint)
            func ask(_ op: String, _ params: JSONValue = [:]) throws -> Envelope {
                try client.send(try codec.encode(.request(op: op, params: params)))
                return try codec.decode(try #require(try client.receive()).last!)
            }
            var answers = [
                try ask(Op.promptsList),
                try ask(Op.promptsSearch, ["query": "茶室"]),
                try ask(Op.promptsGet, ["id": "straight-stair", "arguments": ["riser": 0.4]]),
                try ask(Op.promptsComplete, ["id": "straight-stair", "argument": "finish", "value": "co"]),
                try ask("prompts.nope"),
                try ask(Op.promptsGet, ["id": "straight-stairs"]),
            ]
            // Add an entry on disk: within a few seconds the service serves it.
            let added = Fixture.changed(Fixture.changed(Fixture.teaHouse, "id", "pavilion"), "title", ["en": "Pavilion", "ja": "東屋"])
            try Data(JSONWriter().bytes([added])).write(to: folder.appendingPathComponent("more.json"))
            for _ in 0..<50 {
                let listed = try ask(Op.promptsList)
                if listed.result?["prompts"]?.arrayValue?.count == 3 { answers.append(listed); break }
                Thread.sleep(forTimeInterval: 0.2)
            }
            return answers
        }
        running.cancel()
        #expect(answers[0].result?["prompts"]?.arrayValue?.count == 2)
        #expect(answers[0].result?["prompts"]?.arrayValue?.first?["recipe"] == nil)
        #expect(answers[1].result?["results"]?.arrayValue?.first?["id"] == "tea-house")
        #expect(answers[2].error?.message.contains("outside the allowed range 0.15–0.2 m") == true)
        #expect(answers[3].result?["values"] == ["concrete"])
        #expect(answers[4].error?.code == ErrorCode.unknownOp)
        #expect(answers[5].error?.message.contains("did you mean straight-stair") == true)
        #expect(answers.count == 7)
    }
}
