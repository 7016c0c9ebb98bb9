import BusMessages
import Foundation

/// Turns an entry and the user's arguments into the prompt text: arguments are checked against
/// their type and range (a 0.4 m stair riser is refused with the allowed range), defaults fill
/// the rest, and the recipe's {placeholders} are replaced.
enum PromptRenderer {
    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// The values to use for each argument, checked; errors name the argument and the rule.
    /// With `outside`, a value outside its range is kept and its argument's name passed there
    /// instead of refused (a brief records what was asked).
    static func resolve(_ entry: JSONValue, arguments given: [String: JSONValue],
                        outside: ((String) -> Void)? = nil) throws(BusError) -> [String: String] {
        let id = entry["id"]?.stringValue ?? "?"
        let declared = entry["arguments"]?.arrayValue ?? []
        let known = Set(declared.compactMap { $0["name"]?.stringValue })
        if let unknown = given.keys.sorted().first(where: { !known.contains($0) }) {
            throw BusError(code: ErrorCode.badParams,
                           message: "\(id): unknown argument '\(unknown)'; it takes \(known.sorted().joined(separator: ", "))")
        }
        var values: [String: String] = [:]
        for argument in declared {
            guard let name = argument["name"]?.stringValue else { continue }
            let unit = argument["unit"]?.stringValue.map { $0.isEmpty ? "" : " \($0)" } ?? ""
            let value = given[name] ?? argument["default"]
            guard let value, value != .null, value != "" else {
                if argument["required"]?.boolValue == true {
                    throw BusError(code: ErrorCode.badParams, message: "\(id): argument '\(name)' is required")
                }
                continue
            }
            switch argument["type"]?.stringValue ?? "number" {
            case "number", "integer":
                let number = value.doubleValue ?? value.stringValue.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard let number else {
                    throw BusError(code: ErrorCode.badParams, message: "\(id): argument '\(name)' must be a number\(unit), got \(value)")
                }
                if argument["type"]?.stringValue == "integer", number.rounded() != number {
                    throw BusError(code: ErrorCode.badParams, message: "\(id): argument '\(name)' must be a whole number, got \(number)")
                }
                if let bounds = argument["range"]?.arrayValue?.compactMap(\.doubleValue), bounds.count == 2,
                   !(bounds[0]...bounds[1]).contains(number) {
                    guard let outside else {
                        throw BusError(code: ErrorCode.badParams,
                                       message: "\(id): argument '\(name)' = \(format(number))\(unit) is outside the allowed range \(format(bounds[0]))–\(format(bounds[1]))\(unit)")
                    }
                    outside(name)
                }
                values[name] = format(number)
            case "enum":
                let choices = argument["choices"]?.arrayValue?.compactMap(\.stringValue) ?? []
                guard let text = value.stringValue, choices.contains(text) else {
                    throw BusError(code: ErrorCode.badParams,
                                   message: "\(id): argument '\(name)' must be one of \(choices.joined(separator: ", ")), got \(value)")
                }
                values[name] = text
            default:
                values[name] = value.stringValue ?? value.description
            }
        }
        return values
    }

    /// The prompt text for `lang` ("en" or "ja").
    static func render(_ entry: JSONValue, arguments given: [String: JSONValue], lang: String) throws(BusError) -> String {
        let values = try resolve(entry, arguments: given)
        let other = lang == "ja" ? "en" : "ja"
        func text(_ field: String) -> String { entry[field]?[lang]?.stringValue ?? entry[field]?[other]?.stringValue ?? "" }
        var out = "\(text("title")) (\(entry["title"]?[other]?.stringValue ?? ""))\n\n\(text("description"))\n"
        if !values.isEmpty {
            out += "\n" + (lang == "ja" ? "条件" : "Parameters") + ":\n"
            for argument in entry["arguments"]?.arrayValue ?? [] {
                guard let name = argument["name"]?.stringValue, let value = values[name] else { continue }
                out += "- \(name): \(value)\(argument["unit"]?.stringValue.map { $0.isEmpty ? "" : " \($0)" } ?? "")\n"
            }
        }
        if let dimensions = entry["dimensions"]?.objectValue, !dimensions.isEmpty {
            out += "\n" + (lang == "ja" ? "標準寸法" : "Typical dimensions") + ":\n"
            for key in dimensions.keys.sorted() {
                let item = dimensions[key]!
                let range = item["range"]?.arrayValue?.compactMap(\.doubleValue)
                out += "- \(key): \(item["value"]?.description ?? "?") \(item["unit"]?.stringValue ?? "")"
                    + (range.map { $0.count == 2 ? " (\(format($0[0]))–\(format($0[1])))" : "" } ?? "")
                    + (item["note"]?.stringValue.map { " — \($0)" } ?? "") + "\n"
            }
        }
        if let proportions = entry["proportions"]?[lang]?.stringValue ?? entry["proportions"]?[other]?.stringValue {
            out += "\n" + (lang == "ja" ? "プロポーション" : "Proportions") + ": \(proportions)\n"
        }
        if let materials = entry["materials"]?.arrayValue, !materials.isEmpty {
            let names = materials.compactMap { $0[lang]?.stringValue ?? $0[other]?.stringValue ?? $0.stringValue }
            out += (lang == "ja" ? "素材" : "Materials") + ": \(names.joined(separator: ", "))\n"
        }
        if let palette = entry["palette"]?.arrayValue, !palette.isEmpty {
            out += (lang == "ja" ? "配色" : "Palette") + ": \(palette.compactMap(\.stringValue).joined(separator: " "))\n"
        }
        out += "\n" + (lang == "ja" ? "手順（MCPツール）" : "Steps (MCP tools)") + ":\n"
        // A building begins a session of its own; an element or a room is added to the current one.
        let first = entry["kind"]?.stringValue == "building_type" ? 2 : 1
        if first == 2 { out += "1. " + start(entry, arguments: given, lang: lang) + "\n" }
        for (number, step) in (entry["recipe"]?.arrayValue?.compactMap(\.stringValue) ?? []).enumerated() {
            var line = step
            for (name, value) in values { line = line.replacingOccurrences(of: "{\(name)}", with: value) }
            out += "\(number + first). \(line)\n"
        }
        return out
    }

    /// The step that ties the session to this prompt: design.md then records the entry, its
    /// arguments and what the building leaves of their ranges, in the prompt's language.
    static func start(_ entry: JSONValue, arguments given: [String: JSONValue], lang: String) -> String {
        let id = entry["id"]?.stringValue ?? "?"
        let title = entry["title"]?[lang]?.stringValue ?? id
        let arguments = JSONWriter(sortedKeys: true).string(.object(given))
        let call = "`create_session` with name \"\(title)\", prompt \"\(id)\", prompt_arguments \(arguments) and language \"\(lang)\""
        return lang == "ja" ? "\(call) でセッションを始める（design.md にこの条件と範囲外の値が記録される）。"
            : "Start the session: \(call) (design.md then records this brief and flags values outside its ranges)."
    }

    static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e12 ? String(Int64(number)) : String(format: "%g", number)
    }
}
