import BusMessages

/// The wire facts of MCP 2026-07-28, the stateless revision, in one place.
///
/// A request of that revision carries its protocol version, client info and capabilities in
/// `params._meta` under reserved `io.modelcontextprotocol/` keys; the version key alone is what
/// tells it from a handshake-era request (whose `_meta` may hold a `progressToken`, never that
/// key). The handshake versions keep going through `initialize` and the SDK, unchanged.
enum ModernProtocol {
    /// The stateless revisions this server answers without a handshake.
    static let versions = ["2026-07-28"]
    /// The revisions answered after `initialize` (the SDK negotiates among them).
    static let handshakeVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    static let protocolVersionKey = "io.modelcontextprotocol/protocolVersion"
    static let clientInfoKey = "io.modelcontextprotocol/clientInfo"
    static let clientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
    static let subscriptionIDKey = "io.modelcontextprotocol/subscriptionId"

    /// JSON-RPC error codes the revision adds.
    static let headerMismatch: Int64 = -32020
    static let unsupportedVersion: Int64 = -32022
    static let invalidRequest: Int64 = -32600
    static let methodNotFound: Int64 = -32601
    static let invalidParams: Int64 = -32602
    static let internalError: Int64 = -32603

    /// HTTP headers a 2026-07-28 POST carries, which must agree with its body.
    static let versionHeader = "mcp-protocol-version"
    static let methodHeader = "mcp-method"
    static let nameHeader = "mcp-name"
    /// Methods whose `Mcp-Name` header repeats one body parameter.
    static let nameBearing = ["tools/call": "name", "prompts/get": "name", "resources/read": "uri"]

    /// Methods whose results carry caching directives (`ttlMs`, `cacheScope`). Ours are 0 and
    /// private: sessions, their files and the dictionary change under a client at any time.
    static let cacheable: Set<String> = ["server/discover", "tools/list", "resources/list", "resources/templates/list",
                                         "resources/read", "prompts/list"]

    /// HTTP status for a JSON-RPC error code (the revision's table; others are 200).
    static func httpStatus(for code: Int64) -> Int {
        switch code {
        case -32700, invalidRequest, invalidParams, headerMismatch, -32021, unsupportedVersion: 400
        case methodNotFound: 404
        default: 200
        }
    }

    /// Whether `message` is a 2026-07-28 request (or notification): its `_meta` names a
    /// protocol version. `server/discover` counts too: it exists only in this era.
    static func isModern(_ message: [String: JSONValue]) -> Bool {
        if message["method"]?.stringValue == "server/discover" { return true }
        return message["params"]?["_meta"]?[protocolVersionKey] != nil
    }

    /// The first rule of the revision's request ladder that `message` breaks, as a JSON-RPC
    /// error; nil when the envelope is whole and its version served. `headers` (lowercased
    /// names) are checked against the body over HTTP, where they must repeat it.
    static func refusal(of message: [String: JSONValue], headers: [String: String]?) -> (code: Int64, message: String, data: JSONValue?)? {
        guard case .object(let meta)? = message["params"]?["_meta"] else {
            return (invalidParams, "params._meta must be an object carrying '\(protocolVersionKey)' and '\(clientCapabilitiesKey)' (MCP 2026-07-28 has no initialize: every request says who it is)", nil)
        }
        let missing = [protocolVersionKey, clientCapabilitiesKey].filter { meta[$0] == nil }
        if !missing.isEmpty {
            return (invalidParams, "params._meta is missing \(missing.map { "'\($0)'" }.joined(separator: " and "))", nil)
        }
        let method = message["method"]?.stringValue
        if let headers {
            guard let header = headers[versionHeader], .string(header) == meta[protocolVersionKey] else {
                return (headerMismatch, "the MCP-Protocol-Version header (\(headers[versionHeader].map { "'\($0)'" } ?? "absent")) does not match params._meta's protocol version", nil)
            }
            guard headers[methodHeader] == method else {
                return (headerMismatch, "the Mcp-Method header (\(headers[methodHeader].map { "'\($0)'" } ?? "absent")) does not match the body's method '\(method ?? "")'", nil)
            }
            if let method, let key = nameBearing[method], let value = message["params"]?[key]?.stringValue,
               headers[nameHeader] != value {
                return (headerMismatch, "the Mcp-Name header (\(headers[nameHeader].map { "'\($0)'" } ?? "absent")) does not match the body's '\(key)' ('\(value)')", nil)
            }
        }
        guard let version = meta[protocolVersionKey]?.stringValue else {
            return (invalidParams, "'\(protocolVersionKey)' must be a string such as \"\(versions[0])\"", nil)
        }
        guard versions.contains(version) else {
            let data: JSONValue = ["supported": .array(versions.map(JSONValue.string)), "requested": .string(version)]
            let older = handshakeVersions.contains(version) ? " (\(version) is a handshake version: send initialize instead)" : ""
            return (unsupportedVersion, "Unsupported protocol version '\(version)'; this server answers \(versions.joined(separator: ", ")) per request\(older)", data)
        }
        return nil
    }
}
