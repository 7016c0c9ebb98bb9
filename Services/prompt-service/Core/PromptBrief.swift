import BusMessages
import Foundation

/// What a session that began from an architecture prompt keeps of it (`prompts.brief`): the
/// entry, every argument as used (given or its default) with unit and range, and which lie
/// outside the entry's range. design.md shows it and checks the building against the ranges.
///
/// Lenient where `prompts.get` refuses: a value outside its range is recorded and flagged, not
/// refused, since the brief says what was asked. Unknown arguments and wrong types are still
/// errors that name them.
enum PromptBrief {
    static func make(_ entry: JSONValue, arguments given: [String: JSONValue], lang: String) throws(BusError) -> JSONValue {
        var outside: Set<String> = []
        let values = try PromptRenderer.resolve(entry, arguments: given, outside: { outside.insert($0) })
        var arguments: [JSONValue] = []
        for argument in entry["arguments"]?.arrayValue ?? [] {
            guard let name = argument["name"]?.stringValue, let value = values[name] else { continue }
            let numeric = ["number", "integer"].contains(argument["type"]?.stringValue ?? "number")
            var item: [String: JSONValue] = [
                "name": .string(name), "given": .bool(given[name] != nil),
                "value": numeric ? Double(value).map(JSONValue.double) ?? .string(value) : .string(value),
            ]
            for key in ["unit", "range", "choices"] where argument[key] != nil && argument[key] != .null { item[key] = argument[key] }
            if outside.contains(name) { item["outside"] = true }
            arguments.append(.object(item))
        }
        return ["entry": entry["id"] ?? .null, "kind": entry["kind"] ?? .null, "title": entry["title"] ?? .null,
                "language": .string(lang), "arguments": .array(arguments)]
    }
}
