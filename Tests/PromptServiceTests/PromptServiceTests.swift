import BusMessages
import Foundation
import ServiceKit
import Testing
import ZeroMQ
@testable import PromptServiceCore

@Suite struct PromptDictionaryTests {
    @Test func bundledDictionaryLoadsAndValidates() throws {
        let dictionary = try PromptDictionary.bundled()
        #expect(!dictionary.entries.isEmpty)
        let house = try #require(dictionary.entries.first { $0["id"] == "detached-house" })
        #expect(house["title"]?["ja"] == "戸建住宅")
    }

    @Test func invalidEntryNamesFileEntryAndField() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"[{"id": "tea-house", "kind": "building_type", "title": {"en": "Tea house"}, "description": {"en": "x", "ja": "y"}, "arguments": [], "recipe": ["a"]}]"#.utf8)
            .write(to: folder.appendingPathComponent("types.json"))
        do {
            _ = try PromptDictionary.load(directory: folder)
            Issue.record("loaded an entry without a Japanese title")
        } catch let error as DictionaryError {
            #expect(error.description == "prompt dictionary types.json, entry 'tea-house': field 'title.ja': required non-empty string")
        }
    }
}

@Suite struct PromptServiceSocketTests {
    @Test func answersPromptsListAndUnknownOpsOverARealSocket() async throws {
        let endpoint = "ipc:///tmp/bmcp-prompts-test-\(UUID().uuidString.prefix(8))"
        let service = PromptService(endpoint: endpoint, dictionary: try PromptDictionary.bundled())
        let running = Task { try await service.run() }
        let codec = EnvelopeCodec()
        let answers = try await DedicatedThread.run { () -> [Envelope] in
            let context = try Context()
            let client = try context.socket(.req)
            try client.set(.receiveTimeout(milliseconds: 5000))
            try client.connect(endpoint)
            var answers: [Envelope] = []
            for op in [Op.promptsList, "prompts.nope"] {
                try client.send(try codec.encode(.request(op: op)))
                answers.append(try codec.decode(try #require(try client.receive()).last!))
            }
            return answers
        }
        running.cancel()
        let prompts = try #require(answers[0].result?["prompts"]?.arrayValue)
        #expect(prompts.contains { $0["id"] == "detached-house" })
        #expect(prompts.first?["recipe"] == nil)
        #expect(answers[1].error?.code == ErrorCode.unknownOp)
        #expect(answers[1].error?.message.contains("prompts.list") == true)
    }
}
