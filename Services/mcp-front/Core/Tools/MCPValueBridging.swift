import BusMessages
import Foundation
import MCP

extension JSONValue {
    /// An MCP value as a bus value (tool arguments on their way to the broker).
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
    /// A bus value as an MCP value (the catalogue's schemas, the HTTP API's tool arguments):
    /// the inverse of `JSONValue.init(_: MCP.Value)` but for data URLs, which stay strings.
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
