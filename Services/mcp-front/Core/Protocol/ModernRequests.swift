import BusMessages
import Foundation
import MCP

/// Answers MCP 2026-07-28 requests, over stdio and HTTP alike.
///
/// Each request stands alone: its envelope (`params._meta`) is checked on every one, nothing
/// is kept from an earlier request on the same connection, and the Blender session is the
/// `session_id` handle in the arguments (`ConnectionSession` in its stateless form), so any
/// mcp-front replica can answer any request. The methods call the same handlers as the
/// handshake era (`MCPHandlers`), and results go through the same `MCPResultEncoder`.
struct ModernRequests: Sendable {
    /// Sends one notification on the request's own stream (progress, listen events).
    typealias Emit = @Sendable (JSONValue) async -> Void

    let backend: MCPBackend

    static let instructions = "Model in Blender through durable, logged sessions. Start with get_scene_info; list_toolsets and enable_toolset bring more tools (modeling, nodes, animation, cameras and lights, import, physics, analysis, architecture); architecture prompts give real dimensions. Pass the session_id a result names in every later call."

    /// What this server offers, the answer to `server/discover`.
    static let capabilities: JSONValue = [
        "tools": ["listChanged": false],
        "prompts": ["listChanged": true],
        "resources": ["subscribe": true, "listChanged": false],
        "completions": [:],
    ]

    /// Core only: a request of this revision belongs to no connection a toolset could be
    /// enabled on; `enable_toolset` answers with the toolset's definitions instead.
    static let toolList: JSONValue = ["tools": MCPResultEncoder.json(MCPHandlers.coreTools)]

    /// The response to `message`, or nil when none is due: a notification, or a listen stream
    /// or call that was cancelled (the revision answers those with nothing). `caller` names
    /// the client at the broker (session ownership); `headers` are the HTTP ones, lowercased.
    func answer(_ message: [String: JSONValue], headers: [String: String]?, caller: String, emit: @escaping Emit) async -> JSONValue? {
        guard let id = message["id"] else { return nil }
        return await answer(id: id, message, headers: headers, caller: caller, emit: emit)
    }

    private func answer(id: JSONValue, _ message: [String: JSONValue], headers: [String: String]?, caller: String,
                        emit: @escaping Emit) async -> JSONValue? {
        switch id {
        case .string, .int: break
        default: return MCPResultEncoder.error(id: .null, code: ModernProtocol.invalidRequest, message: "a request id must be a string or an integer, got \(id.typeName)")
        }
        if let refusal = ModernProtocol.refusal(of: message, headers: headers) {
            return MCPResultEncoder.error(id: id, code: refusal.code, message: refusal.message, data: refusal.data)
        }
        let method = message["method"]?.stringValue ?? ""
        let params = message["params"]?.objectValue ?? [:]
        do {
            let result: JSONValue
            switch method {
            case "server/discover":
                result = ["supportedVersions": .array(ModernProtocol.versions.map(JSONValue.string)),
                          "capabilities": Self.capabilities, "instructions": .string(Self.instructions)]
            case "tools/list":
                result = Self.toolList
            case "tools/call":
                result = try await call(params, caller: caller, emit: emit)
            case "resources/list":
                result = MCPResultEncoder.json(try await backend.resources.list(cursor: try Self.string(params, "cursor")))
            case "resources/templates/list":
                result = MCPResultEncoder.json(ListResourceTemplates.Result(templates: SessionResources.templates))
            case "resources/read":
                guard let uri = try Self.string(params, "uri") else { throw MCPError.invalidParams("resources/read needs 'uri', e.g. session://<session_id>/design.md") }
                result = MCPResultEncoder.json(try await backend.resources.read(uri))
            case "prompts/list":
                result = MCPResultEncoder.json(try await prompts.list())
            case "prompts/get":
                guard let name = try Self.string(params, "name") else { throw MCPError.invalidParams("prompts/get needs 'name' (see prompts/list)") }
                result = MCPResultEncoder.json(try await prompts.get(name, arguments: try Self.promptArguments(params["arguments"])))
            case "completion/complete":
                let parameters = try JSONDecoder().decode(Complete.Parameters.self, from: Data(JSONWriter().bytes(.object(params))))
                result = MCPResultEncoder.json(try await prompts.complete(parameters))
            case "subscriptions/listen":
                return try await listen(id: id, params, emit: emit)
            default:
                return MCPResultEncoder.error(id: id, code: ModernProtocol.methodNotFound,
                                              message: "method '\(method)' is not answered at MCP \(ModernProtocol.versions[0]); methods: \(Self.methods.joined(separator: ", "))")
            }
            if Task.isCancelled { return nil }
            return ["jsonrpc": "2.0", "id": id, "result": MCPResultEncoder.modern(result, cacheable: ModernProtocol.cacheable.contains(method))]
        } catch is CancellationError {
            return nil
        } catch let error as DecodingError {
            return MCPResultEncoder.error(id: id, code: ModernProtocol.invalidParams, message: "\(method): bad params: \(Self.describe(error))")
        } catch {
            let (code, text) = MCPResultEncoder.errorObject(error)
            return MCPResultEncoder.error(id: id, code: code, message: text)
        }
    }

    static let methods = ["server/discover", "tools/list", "tools/call", "resources/list", "resources/templates/list", "resources/read",
                          "prompts/list", "prompts/get", "completion/complete", "subscriptions/listen"]

    private var prompts: ArchitecturePrompts { ArchitecturePrompts(prompts: backend.prompts, timeout: .seconds(10)) }

    private func call(_ params: [String: JSONValue], caller: String, emit: @escaping Emit) async throws -> JSONValue {
        guard let name = try Self.string(params, "name") else { throw MCPError.invalidParams("tools/call needs 'name' (see tools/list)") }
        let arguments: [String: MCP.Value]?
        switch params["arguments"] {
        case nil, .null?: arguments = nil
        case .object(let object)?: arguments = object.mapValues(MCP.Value.init)
        case let other?: throw MCPError.invalidParams("tools/call: 'arguments' must be an object, got \(other.typeName)")
        }
        let connection = ConnectionSession(client: caller, preset: nil, stateless: true)
        var progress = ToolProgress.none
        if let token = params["_meta"]?["progressToken"], token != .null {
            progress = ToolProgress { step, total, message in
                await emit(["jsonrpc": "2.0", "method": "notifications/progress",
                            "params": ["progressToken": token, "progress": .double(step), "total": .double(total), "message": .string(message)]])
            }
        }
        return MCPResultEncoder.tool(try await backend.toolCalls(for: connection).call(name, arguments: arguments, progress: progress))
    }

    /// A listen stream: acknowledged with what is honored, then events until the client
    /// cancels it (stdio) or closes it (HTTP). List changes of prompts are honored, and of
    /// tools (which never change); updates of `session://` resources; nothing else.
    private func listen(id: JSONValue, _ params: [String: JSONValue], emit: @escaping Emit) async throws -> JSONValue? {
        guard case .object(let filter)? = params["notifications"] else {
            throw MCPError.invalidParams("subscriptions/listen needs 'notifications', an object such as {\"resourceSubscriptions\": [\"session://<id>/command.log\"]}")
        }
        var honored: [String: JSONValue] = [:]
        for key in ["toolsListChanged", "promptsListChanged"] where filter[key] == true { honored[key] = true }
        let resources = SessionResources(logs: backend.logs, timeout: .seconds(10), bus: backend.bus)
        var uris: [JSONValue] = []
        for uri in filter["resourceSubscriptions"]?.arrayValue ?? [] {
            guard let text = uri.stringValue, (try? await resources.subscribe(text)) != nil else { continue }
            uris.append(uri)
        }
        if !uris.isEmpty { honored["resourceSubscriptions"] = .array(uris) }
        let stream = ListenStream(subscription: id, prompts: honored["promptsListChanged"] == true, resources: resources, emit: emit)
        var ack = stream.notification("notifications/subscriptions/acknowledged", [:])
        if case .object(var object) = ack, case .object(var ackParams)? = object["params"] {
            ackParams["notifications"] = .object(honored)
            object["params"] = .object(ackParams)
            ack = .object(object)
        }
        await emit(ack)
        await backend.listeners.add(stream)
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        await backend.listeners.remove(stream.key)
        return nil
    }

    private static func string(_ params: [String: JSONValue], _ key: String) throws -> String? {
        switch params[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw MCPError.invalidParams("'\(key)' must be a string, got \(other.typeName)")
        }
    }

    private static func promptArguments(_ value: JSONValue?) throws -> [String: String]? {
        switch value {
        case nil, .null?: return nil
        case .object(let object)?:
            return try object.mapValues { value in
                guard let text = value.stringValue else { throw MCPError.invalidParams("prompt arguments are strings; got \(value.typeName) (\(value))") }
                return text
            }
        case let other?: throw MCPError.invalidParams("'arguments' must be an object of strings, got \(other.typeName)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        @unknown default: "\(error)"
        }
    }
}
