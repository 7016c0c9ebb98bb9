import BusMessages
import Foundation

/// The architecture prompt dictionary: entries loaded from JSON files, validated at load with
/// errors that name the file, the entry and the field.
public struct PromptDictionary: Sendable {
    public private(set) var entries: [JSONValue] = []

    public init(entries: [JSONValue]) {
        self.entries = entries
    }

    /// Loads every `*.json` file in `directory` (sorted by name for a stable order).
    public static func load(directory: URL) throws -> PromptDictionary {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var entries: [JSONValue] = []
        for file in files {
            let value: JSONValue
            do {
                value = try JSONParser.parse(Data(contentsOf: file))
            } catch {
                throw DictionaryError(file: file.lastPathComponent, entry: nil, problem: "not valid JSON: \(error)")
            }
            guard let list = value.arrayValue else {
                throw DictionaryError(file: file.lastPathComponent, entry: nil, problem: "top level must be an array of entries")
            }
            for (index, entry) in list.enumerated() {
                try validate(entry, file: file.lastPathComponent, index: index)
                entries.append(entry)
            }
        }
        return PromptDictionary(entries: entries)
    }

    /// The dictionary shipped with prompt-service.
    public static func bundled() throws -> PromptDictionary {
        guard let url = Bundle.module.url(forResource: "Dictionary", withExtension: nil) else {
            throw DictionaryError(file: "Dictionary", entry: nil, problem: "the bundled dictionary folder is missing from the build")
        }
        return try load(directory: url)
    }

    /// The listing clients see: id, kind, titles, description and arguments, without recipes.
    public func listing() -> JSONValue {
        .array(entries.map { entry in
            var summary: [String: JSONValue] = [:]
            for key in ["id", "kind", "title", "description", "arguments"] { summary[key] = entry[key] }
            return .object(summary)
        })
    }

    static func validate(_ entry: JSONValue, file: String, index: Int) throws {
        let name = entry["id"]?.stringValue ?? "#\(index)"
        func fail(_ problem: String) -> DictionaryError { DictionaryError(file: file, entry: name, problem: problem) }
        guard entry.objectValue != nil else { throw fail("entry must be an object") }
        guard entry["id"]?.stringValue?.isEmpty == false else { throw fail("field 'id': required string") }
        guard entry["kind"]?.stringValue != nil else { throw fail("field 'kind': required string") }
        for field in ["title", "description"] {
            for lang in ["en", "ja"] where entry[field]?[lang]?.stringValue?.isEmpty != false {
                throw fail("field '\(field).\(lang)': required non-empty string")
            }
        }
        guard let arguments = entry["arguments"]?.arrayValue else { throw fail("field 'arguments': required array") }
        for (position, argument) in arguments.enumerated() where argument["name"]?.stringValue == nil {
            throw fail("field 'arguments[\(position)].name': required string")
        }
        guard entry["recipe"]?.arrayValue?.isEmpty == false else { throw fail("field 'recipe': required non-empty array of steps") }
    }
}

public struct DictionaryError: Error, CustomStringConvertible {
    public let file: String
    public let entry: String?
    public let problem: String

    public var description: String {
        "prompt dictionary \(file)\(entry.map { ", entry '\($0)'" } ?? ""): \(problem)"
    }
}
