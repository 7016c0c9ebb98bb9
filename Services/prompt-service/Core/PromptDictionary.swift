import BusMessages
import Foundation

/// The architecture prompt dictionary (建築プロンプト辞書): entries loaded from JSON files and
/// validated at load with errors that name the file, the entry and the field. The schema is
/// documented in docs/PROMPT-DICTIONARY.md.
public struct PromptDictionary: Sendable {
    public static let kinds: Set<String> = ["building_type", "style", "element", "room"]

    public private(set) var entries: [JSONValue] = []
    private var byID: [String: JSONValue] = [:]

    public init(entries: [JSONValue]) {
        self.entries = entries
        for entry in entries {
            if let id = entry["id"]?.stringValue { byID[id] = entry }
        }
    }

    public func entry(_ id: String) -> JSONValue? { byID[id] }

    /// Loads every `*.json` file in `directory` (sorted by name for a stable order).
    public static func load(directory: URL) throws -> PromptDictionary {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var entries: [(file: String, entry: JSONValue)] = []
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
                try EntryValidator(file: file.lastPathComponent, index: index, entry: entry).validate()
                entries.append((file.lastPathComponent, entry))
            }
        }
        var seen: [String: String] = [:]
        for (file, entry) in entries {
            let id = entry["id"]!.stringValue!
            if let first = seen[id] {
                throw DictionaryError(file: file, entry: id, problem: "field 'id': duplicate of the entry in \(first)")
            }
            seen[id] = file
        }
        for (file, entry) in entries {
            for related in entry["related"]?.arrayValue?.compactMap(\.stringValue) ?? [] where seen[related] == nil {
                throw DictionaryError(file: file, entry: entry["id"]?.stringValue, problem: "field 'related': no entry '\(related)'")
            }
        }
        return PromptDictionary(entries: entries.map(\.entry))
    }

    /// The dictionary shipped with prompt-service.
    public static func bundledDirectory() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Dictionary", withExtension: nil) else {
            throw DictionaryError(file: "Dictionary", entry: nil, problem: "the bundled dictionary folder is missing from the build")
        }
        return url
    }

    public static func bundled() throws -> PromptDictionary { try load(directory: bundledDirectory()) }

    /// The listing clients see: everything but the recipe.
    public func listing(kind: String? = nil) -> JSONValue {
        .array(entries.filter { kind == nil || $0["kind"]?.stringValue == kind }.map(Self.summary))
    }

    static func summary(_ entry: JSONValue) -> JSONValue {
        var summary = entry.objectValue ?? [:]
        summary["recipe"] = nil
        return .object(summary)
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

/// Checks one entry against the schema.
struct EntryValidator {
    let file: String
    let index: Int
    let entry: JSONValue

    private func fail(_ problem: String) -> DictionaryError {
        DictionaryError(file: file, entry: entry["id"]?.stringValue ?? "#\(index)", problem: problem)
    }

    func validate() throws {
        guard entry.objectValue != nil else { throw fail("entry must be an object") }
        guard let id = entry["id"]?.stringValue, !id.isEmpty,
              id.unicodeScalars.allSatisfy({ CharacterSet.lowercaseLetters.contains($0) || CharacterSet.decimalDigits.contains($0) || $0 == "-" })
        else { throw fail("field 'id': required kebab-case string (a-z, 0-9, '-')") }
        guard let kind = entry["kind"]?.stringValue, PromptDictionary.kinds.contains(kind) else {
            throw fail("field 'kind': must be one of \(PromptDictionary.kinds.sorted().joined(separator: ", "))")
        }
        for field in ["title", "description"] {
            for lang in ["en", "ja"] where entry[field]?[lang]?.stringValue?.isEmpty != false {
                throw fail("field '\(field).\(lang)': required non-empty string")
            }
        }
        for field in ["keywords", "aliases"] {
            guard let value = entry[field] else { continue }
            for lang in ["en", "ja"] {
                guard let list = value[lang] else { continue }
                guard list.arrayValue?.allSatisfy({ $0.stringValue != nil }) == true else {
                    throw fail("field '\(field).\(lang)': must be a list of strings")
                }
            }
        }
        guard let arguments = entry["arguments"]?.arrayValue else { throw fail("field 'arguments': required array") }
        var names: Set<String> = []
        for (position, argument) in arguments.enumerated() {
            try validate(argument, at: "arguments[\(position)]")
            names.insert(argument["name"]!.stringValue!)
        }
        for (position, color) in (entry["palette"]?.arrayValue ?? []).enumerated() {
            guard let hex = color.stringValue, hex.count == 7, hex.hasPrefix("#"), UInt32(hex.dropFirst(), radix: 16) != nil else {
                throw fail("field 'palette[\(position)]': must be a #RRGGBB colour, got \(color)")
            }
        }
        guard let recipe = entry["recipe"]?.arrayValue, !recipe.isEmpty, recipe.allSatisfy({ $0.stringValue != nil }) else {
            throw fail("field 'recipe': required non-empty array of strings")
        }
        for (step, text) in recipe.compactMap(\.stringValue).enumerated() {
            for placeholder in PromptRenderer.placeholders(in: text) where !names.contains(placeholder) {
                throw fail("field 'recipe[\(step)]': placeholder {\(placeholder)} is not an argument")
            }
        }
    }

    private func validate(_ argument: JSONValue, at path: String) throws {
        guard let name = argument["name"]?.stringValue, !name.isEmpty else { throw fail("field '\(path).name': required string") }
        let type = argument["type"]?.stringValue ?? "number"
        guard ["number", "integer", "string", "enum"].contains(type) else {
            throw fail("field '\(path).type': must be number, integer, string or enum, got \"\(type)\"")
        }
        let fallback = argument["default"]
        if type == "number" || type == "integer" {
            guard let bounds = argument["range"]?.arrayValue?.compactMap(\.doubleValue), bounds.count == 2, bounds[0] < bounds[1] else {
                throw fail("field '\(path).range': a \(type) needs [min, max] with min < max")
            }
            if let fallback, fallback != .null {
                guard let value = fallback.doubleValue, (bounds[0]...bounds[1]).contains(value) else {
                    throw fail("field '\(path).default': \(fallback) is outside the range \(bounds[0])–\(bounds[1])")
                }
            }
        }
        if type == "enum" {
            guard let choices = argument["choices"]?.arrayValue?.compactMap(\.stringValue), !choices.isEmpty else {
                throw fail("field '\(path).choices': an enum needs a non-empty list of strings")
            }
            if let chosen = fallback?.stringValue, !choices.contains(chosen) {
                throw fail("field '\(path).default': \"\(chosen)\" is not one of its choices")
            }
        }
    }
}
