import BusMessages
import Foundation

/// A tool's input schema compiled once into checks, so a call's arguments are refused with an
/// error that names the argument, what it must be and what came, before anything is sent.
///
/// It reads the subset of JSON Schema the catalogue writes (`type`, `enum`, `minimum`,
/// `maximum`, `minLength`, `items`, `minItems`, `maxItems`, `required`,
/// `additionalProperties: false`), which is what the addon's registry checks: the two agree
/// because both come from the same declaration. Names in an `enum` match ignoring case and
/// are passed on in their declared spelling, as the addon does.
struct ArgumentSchema: Sendable {
    let tool: String
    let properties: [String: ValueRule]
    let required: [String]

    init(tool: String, schema: JSONValue) throws(CatalogueError) {
        self.tool = tool
        var properties: [String: ValueRule] = [:]
        for (name, property) in schema["properties"]?.objectValue ?? [:] {
            properties[name] = ValueRule(property)
        }
        self.properties = properties
        required = (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        if let stray = required.first(where: { properties[$0] == nil }) {
            throw CatalogueError(description: "tool '\(tool)' requires '\(stray)', which it does not declare")
        }
    }

    /// The checked arguments, enum names in their declared spelling. `mayOmit` names required
    /// arguments a caller may still leave out (`session_id`, which mcp-front resolves then);
    /// given, they are checked like any other.
    func check(_ arguments: [String: JSONValue], mayOmit: Set<String> = []) throws(ArgumentError) -> [String: JSONValue] {
        var checked: [String: JSONValue] = [:]
        for name in required where arguments[name] == nil || arguments[name] == .null {
            guard !mayOmit.contains(name) else { continue }
            throw ArgumentError(description: "\(tool): missing required argument '\(name)' (\(properties[name]!.expected))")
        }
        for (name, value) in arguments.sorted(by: { $0.key < $1.key }) {
            guard let rule = properties[name] else {
                let known = properties.keys.filter { !mayOmit.contains($0) }.sorted()
                throw ArgumentError(description:
                    "\(tool): unexpected argument '\(name)'; it takes \(known.isEmpty ? "no arguments" : known.joined(separator: ", "))")
            }
            if value == .null { continue }  // an explicit null means "the default", as in the addon
            guard let accepted = rule.accept(value) else {
                throw ArgumentError(description: "\(tool): argument '\(name)' must be \(rule.expected), got \(value.typeName) \(value.short)")
            }
            checked[name] = accepted
        }
        return checked
    }
}

/// The checks on one value: its type, names, bounds and items.
final class ValueRule: Sendable {
    let type: String?
    let names: [String]?
    let minimum: Double?
    let maximum: Double?
    let minLength: Int?
    let items: ValueRule?
    let minItems: Int?
    let maxItems: Int?

    init(_ schema: JSONValue) {
        type = schema["type"]?.stringValue
        names = schema["enum"]?.arrayValue?.compactMap(\.stringValue)
        minimum = schema["minimum"]?.doubleValue
        maximum = schema["maximum"]?.doubleValue
        minLength = schema["minLength"]?.intValue.map(Int.init)
        items = schema["items"].map(ValueRule.init)
        minItems = schema["minItems"]?.intValue.map(Int.init)
        maxItems = schema["maxItems"]?.intValue.map(Int.init)
    }

    /// The value as it is passed on, or nil when it breaks a rule.
    func accept(_ value: JSONValue) -> JSONValue? {
        switch (type, value) {
        case ("string"?, .string(let text)):
            if let minLength, text.count < minLength { return Optional.none }
            if let names {
                guard let name = names.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else { return Optional.none }
                return .string(name)
            }
            return value
        // No `? value : nil` here: JSONValue is ExpressibleByNilLiteral, so such a ternary
        // would answer `.null` (an accepted "use the default") instead of a refusal.
        case ("integer"?, .int), ("number"?, .int), ("number"?, .double):
            guard inBounds(value.doubleValue ?? .nan) else { return Optional.none }
            return value
        case ("integer"?, .double(let number)) where number.rounded() == number && abs(number) < 9e15:
            guard inBounds(number) else { return Optional.none }
            return .int(Int64(number))
        case ("boolean"?, .bool), ("object"?, .object):
            return value
        case ("array"?, .array(let elements)):
            if let minItems, elements.count < minItems { return Optional.none }
            if let maxItems, elements.count > maxItems { return Optional.none }
            guard let items else { return value }
            var accepted: [JSONValue] = []
            accepted.reserveCapacity(elements.count)
            for element in elements {
                guard let item = items.accept(element) else { return Optional.none }
                accepted.append(item)
            }
            return .array(accepted)
        case (nil, _):
            return value
        default:
            return Optional.none
        }
    }

    private func inBounds(_ number: Double) -> Bool {
        number.isFinite && (minimum.map { number >= $0 } ?? true) && (maximum.map { number <= $0 } ?? true)
    }

    /// What an accepted value is, in words: "a number between 0.1 and 20", "one of 'x', 'y'".
    var expected: String {
        if let names { return "one of " + names.map { "'\($0)'" }.joined(separator: ", ") }
        var text: String
        switch type {
        case "array"?:
            let count: String
            switch (minItems, maxItems) {
            case let (low?, high?) where low == high: count = "\(low) "
            case let (low?, high?): count = "\(low) to \(high) "
            case let (low?, nil) where low > 0: count = "at least \(low) "
            case let (nil, high?): count = "at most \(high) "
            default: count = ""
            }
            text = "an array of \(count)" + (items.map { "items, each \($0.expected)" } ?? "items")
            return text
        case "integer"?: text = "an integer"
        case "number"?: text = "a number"
        case "string"?: text = minLength.map { $0 > 0 ? "a non-empty string" : "a string" } ?? "a string"
        case "boolean"?: text = "a boolean"
        case "object"?: text = "an object"
        default: text = "a value"
        }
        switch (minimum, maximum) {
        case let (low?, high?): text += " between \(Self.number(low)) and \(Self.number(high))"
        case let (low?, nil): text += " of at least \(Self.number(low))"
        case let (nil, high?): text += " of at most \(Self.number(high))"
        default: break
        }
        return text
    }

    private static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Why a tool call's arguments were refused (a tool error the model reads and corrects).
struct ArgumentError: Error, CustomStringConvertible {
    let description: String
}

extension JSONValue {
    /// The value as JSON, cut to 60 characters, for error messages.
    var short: String {
        let text = JSONWriter().string(self)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
