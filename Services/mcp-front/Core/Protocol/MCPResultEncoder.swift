import BusMessages
import Foundation
import MCP

/// How every result mcp-front writes itself becomes wire JSON, at either era: tool results
/// (the hot path) by hand, the rare lists through the SDK types' own `Codable` form, and a
/// 2026-07-28 result with the `resultType` and `_meta` that revision requires on each one.
/// The SDK's transport writes handshake-era results over HTTP from the same types.
enum MCPResultEncoder {
    /// A tool result. Text and image blocks, all our tools make, are written here; anything
    /// else goes through the SDK's encoder so no field is lost.
    static func tool(_ result: CallTool.Result) -> JSONValue {
        var blocks: [JSONValue] = []
        for block in result.content {
            switch block {
            case .text(let text, nil, nil):
                blocks.append(["type": "text", "text": .string(text)])
            case .image(let data, let mimeType, nil, nil):
                blocks.append(["type": "image", "data": .string(data), "mimeType": .string(mimeType)])
            default:
                blocks.append(json(block))
            }
        }
        var object: [String: JSONValue] = ["content": .array(blocks)]
        if let structured = result.structuredContent { object["structuredContent"] = JSONValue(structured) }
        if let isError = result.isError { object["isError"] = .bool(isError) }
        if let meta = result._meta { object["_meta"] = json(meta) }
        return .object(object)
    }

    /// Any SDK value in its `Codable` form (lists, prompts, resources, completions).
    static func json<T: Encodable>(_ value: T) -> JSONValue {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONParser.parse(data) else { return [:] }
        return json
    }

    /// `result` as a 2026-07-28 result: `resultType` (we never ask for input, so always
    /// `complete`), the caching directives of the lists and reads (`ModernProtocol.cacheable`) and the server's name and version in `_meta`, which that revision carries on
    /// every result instead of in an `initialize` answer.
    static func modern(_ result: JSONValue, cacheable: Bool) -> JSONValue {
        guard case .object(var object) = result else { return result }
        object["resultType"] = "complete"
        if cacheable {
            object["ttlMs"] = 0
            object["cacheScope"] = "private"
        }
        var meta = object["_meta"]?.objectValue ?? [:]
        meta[ModernProtocol.serverInfoKey] = serverInfo
        object["_meta"] = .object(meta)
        return .object(object)
    }

    static let serverInfo: JSONValue = ["name": "blender-mcp", "version": .string(MCPFront.version)]

    /// A JSON-RPC error response.
    static func error(id: JSONValue, code: Int64, message: String, data: JSONValue? = nil) -> JSONValue {
        var error: [String: JSONValue] = ["code": .int(code), "message": .string(message)]
        if let data { error["data"] = data }
        return ["jsonrpc": "2.0", "id": id, "error": .object(error)]
    }

    /// The JSON-RPC error object for a thrown error, as the SDK writes an `MCPError`.
    static func errorObject(_ error: Error) -> (code: Int64, message: String) {
        let mcpError = error as? MCPError ?? MCPError.internalError(error.localizedDescription)
        let json = json(mcpError)
        return (json["code"]?.intValue ?? Int64(mcpError.code), json["message"]?.stringValue ?? "\(mcpError)")
    }
}
