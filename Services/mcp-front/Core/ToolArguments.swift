import BusMessages
import MCP

/// One declared parameter of a tool: enough to publish its JSON Schema and to check a call's
/// arguments with an error that names the argument.
struct ToolParameter: Sendable {
    enum Kind: String, Sendable {
        case string, integer, number, boolean, object, array
    }

    let name: String
    let kind: Kind
    let required: Bool
    let description: String
}

struct ArgumentError: Error, CustomStringConvertible {
    let description: String
}

extension [ToolParameter] {
    var inputSchema: Value {
        var properties: [String: Value] = [:]
        for parameter in self {
            properties[parameter.name] = ["type": .string(parameter.kind.rawValue), "description": .string(parameter.description)]
        }
        return [
            "type": "object",
            "properties": .object(properties),
            "required": .array(filter(\.required).map { .string($0.name) }),
            "additionalProperties": false,
        ]
    }

    /// Checks `arguments` against the declared parameters and converts them for the bus.
    func validate(_ arguments: [String: Value]?, tool: String) throws(ArgumentError) -> [String: JSONValue] {
        let arguments = arguments ?? [:]
        var checked: [String: JSONValue] = [:]
        for parameter in self {
            guard let value = arguments[parameter.name], value != .null else {
                if parameter.required {
                    throw ArgumentError(description: "\(tool): missing required argument '\(parameter.name)' (\(parameter.kind.rawValue))")
                }
                continue
            }
            guard parameter.accepts(value) else {
                throw ArgumentError(description:
                    "\(tool): argument '\(parameter.name)' must be \(parameter.kind.article) \(parameter.kind.rawValue), got \(value.jsonTypeName) \(value.shortDescription)")
            }
            checked[parameter.name] = JSONValue(value)
        }
        let known = Set(map(\.name))
        if let unexpected = arguments.keys.sorted().first(where: { !known.contains($0) }) {
            throw ArgumentError(description:
                "\(tool): unexpected argument '\(unexpected)'; it takes \(known.isEmpty ? "no arguments" : known.sorted().joined(separator: ", "))")
        }
        return checked
    }
}

extension ToolParameter {
    func accepts(_ value: Value) -> Bool {
        switch (kind, value) {
        case (.string, .string), (.boolean, .bool), (.integer, .int), (.number, .int), (.number, .double),
             (.object, .object), (.array, .array):
            true
        case (.integer, .double(let d)):
            d.rounded() == d
        default:
            false
        }
    }
}

extension ToolParameter.Kind {
    var article: String { self == .integer || self == .object || self == .array ? "an" : "a" }
}

extension Value {
    var jsonTypeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string, .data: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var shortDescription: String { BusMessages.JSONValue(self).description }
}

extension JSONValue {
    init(_ value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int64(i))
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .data(let mimeType, let data): self = .string("data:\(mimeType ?? "application/octet-stream");base64,\(data.base64EncodedString())")
        case .array(let a): self = .array(a.map(JSONValue.init))
        case .object(let o): self = .object(o.mapValues(JSONValue.init))
        }
    }
}

extension MCP.Value {
    /// A bus value as an MCP value (the HTTP API's tool arguments): the inverse of
    /// `JSONValue.init(_: MCP.Value)` but for data URLs, which stay strings.
    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int(i))
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(MCP.Value.init))
        case .object(let o): self = .object(o.mapValues(MCP.Value.init))
        }
    }
}
