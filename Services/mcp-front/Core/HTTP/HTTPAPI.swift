import BusMessages
import Foundation
import HTTPTypes
import Hummingbird
import MCP
import ServiceKit

/// The JSON API under `/api` (described in `Dashboard/openapi.yaml`): sessions, their logs,
/// state, design document and latest render, instances, running a tool, and the bus's events
/// as Server-Sent Events. Everything goes through the same broker and log-writer requests the
/// MCP tools use.
struct HTTPAPI: Sendable {
    let backend: MCPBackend
    let streams: SSEStreams
    let maxBody: Int
    let source = "mcp-front/api"

    func register(on router: some RouterMethods<BasicRequestContext>) {
        let api = router.group("api")
        api.get("health") { _, _ in try await health() }
        api.get("instances") { _, _ in try await broker(Op.instanceList) }
        api.get("tools") { _, _ in tools() }
        api.get("sessions") { request, _ in
            var params: [String: JSONValue] = [:]
            if let status = request.uri.queryParameters.get("status") { params["status"] = .string(status) }
            return try await broker(Op.sessionList, .object(params))
        }
        api.post("sessions") { request, _ in
            try await broker(Op.sessionCreate, try await body(request, allowed: ["name", "instance"]), status: .created)
        }
        api.get("sessions/:id") { _, context in try await broker(Op.sessionGet, ["session_id": .string(try id(context))]) }
        api.delete("sessions/:id") { request, context in
            var params: [String: JSONValue] = ["session_id": .string(try id(context))]
            if let keep = request.uri.queryParameters.get("keep_checkpoint") {
                guard let flag = Bool(keep) else {
                    throw APIError(.badRequest, code: "bad_params", "query 'keep_checkpoint' must be true or false, got '\(keep)'")
                }
                params["keep_checkpoint"] = .bool(flag)
            }
            return try await broker(Op.sessionClose, .object(params))
        }
        api.get("sessions/:id/log") { request, context in try await commandLog(try id(context), request) }
        api.get("sessions/:id/state") { _, context in try await file(try id(context), "state.json", type: "application/json") }
        api.get("sessions/:id/design") { _, context in try await file(try id(context), "design.md", type: "text/markdown; charset=utf-8") }
        api.get("sessions/:id/plan") { _, context in try await file(try id(context), "plan.svg", type: "image/svg+xml") }
        api.get("sessions/:id/elevation") { _, context in try await file(try id(context), "elevation.svg", type: "image/svg+xml") }
        api.get("sessions/:id/blender-log") { _, context in try await file(try id(context), "blender.log", type: "text/plain; charset=utf-8") }
        api.get("sessions/:id/render") { _, context in try await render(try id(context)) }
        api.post("sessions/:id/tools/:tool") { request, context in
            try await runTool(try pathParameter(context, "tool"), session: try id(context), request)
        }
        api.get("events") { request, _ in
            if let full = streams.refusal() { return full }
            return EventStream(bus: backend.bus, streams: streams, session: request.uri.queryParameters.get("session").map { String($0) }).response()
        }
    }

    // MARK: Routes

    private func health() async throws -> Response {
        var checks: [String: JSONValue] = [:]
        for (name, client) in [("session-broker", backend.broker), ("log-writer", backend.logs), ("prompt-service", backend.prompts)] {
            let op = name == "session-broker" ? Op.brokerHealth : Op.health
            do {
                let answer = try await client.send(.request(op: op, source: source), timeout: .seconds(3))
                checks[name] = answer.kind == .reply ? (answer.result ?? .null) : ["error": .string(answer.error?.message ?? "failed")]
            } catch {
                checks[name] = ["error": .string("\(error)")]
            }
        }
        checks["mcp-front"] = ["status": "ok", "mcp_connections": .int(Int64(await backend.listeners.count)),
                               "event_listeners": .int(Int64(backend.bus.listenerCount)),
                               "open_streams": .int(Int64(streams.count))]
        return Self.json(.object(checks))
    }

    private func tools() -> Response {
        let list = ToolCatalogue.bundled.tools.map { tool -> JSONValue in
            ["name": .string(tool.name), "toolset": .string(tool.toolset), "description": .string(tool.definition.description ?? ""),
             "input_schema": JSONValue(tool.definition.inputSchema)]
        }
        return Self.json(["tools": .array(list)])
    }

    private func commandLog(_ session: String, _ request: Request) async throws -> Response {
        // `tail` pages from the end in one read (the dashboard's view); else `offset`/`limit`.
        var params: [String: JSONValue] = ["session_id": .string(session), "file": "command.log"]
        // Every parameter given is checked, the ones `tail` overrides included: a bad one is
        // the caller's mistake whichever wins.
        let fromEnd = request.uri.queryParameters.get("tail") != nil
        var offset = try Self.integer(request, "offset", default: 0, range: 0...Int.max)
        var limit = try Self.integer(request, "limit", default: 100, range: 1...1000)
        if fromEnd {
            offset = 0
            limit = try Self.integer(request, "tail", default: 100, range: 1...1000)
            params["tail"] = .int(Int64(limit))
        } else {
            params["offset"] = .int(Int64(offset))
            params["limit"] = .int(Int64(limit))
        }
        let result = try await logs(.object(params))
        let lines = (result["content"]?.stringValue ?? "").split(separator: "\n").map { line in
            (try? JSONParser.parse(Array(line.utf8))) ?? .string(String(line))
        }
        let total = result["lines"]?.intValue.map(Int.init)
        let first = fromEnd ? max(0, (total ?? lines.count) - lines.count) : offset
        return Self.json(["session_id": .string(session), "offset": .int(Int64(first)), "limit": .int(Int64(limit)),
                          "total": total.map { .int(Int64($0)) } ?? .null, "commands": .array(lines)])
    }

    private func file(_ session: String, _ name: String, type: String) async throws -> Response {
        let result = try await logs(["session_id": .string(session), "file": .string(name)])
        return Self.raw(Data((result["content"]?.stringValue ?? "").utf8), type: type)
    }

    private func render(_ session: String) async throws -> Response {
        let result = try await logs(["session_id": .string(session), "file": "render.png"])
        guard let encoded = result["content"]?.stringValue, let png = Data(base64Encoded: encoded) else {
            throw APIError(.badGateway, code: "bad_render", "log-writer returned no PNG for session '\(session)'")
        }
        return Self.raw(png, type: "image/png")
    }

    private func runTool(_ tool: String, session: String, _ request: Request) async throws -> Response {
        guard ToolCatalogue.bundled.byName[tool] != nil else {
            throw APIError(.notFound, code: "unknown_tool", "no tool '\(tool)'; GET /api/tools lists them")
        }
        var arguments = try await body(request, allowed: nil).objectValue ?? [:]
        arguments["session_id"] = .string(session)
        let connection = ConnectionSession(client: source, preset: nil)
        let result = try await backend.toolCalls(for: connection).call(tool, arguments: arguments.mapValues(Value.init))
        let text = result.content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }.joined(separator: "\n")
        return Self.json(["tool": .string(tool), "session_id": .string(session), "is_error": .bool(result.isError ?? false),
                          "text": .string(text)], status: result.isError == true ? .unprocessableContent : .ok)
    }

    // MARK: Bus requests

    private func broker(_ op: String, _ params: JSONValue = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        Self.json(try await ask(backend.broker, op, params), status: status)
    }

    private func logs(_ params: JSONValue) async throws -> JSONValue {
        try await ask(backend.logs, Op.logsRead, params)
    }

    private func ask(_ client: RequestClient, _ op: String, _ params: JSONValue) async throws -> JSONValue {
        let answer: Envelope
        do {
            answer = try await client.send(.request(op: op, params: params, source: source), timeout: backend.requestTimeout)
        } catch let error as BusError {
            throw Self.apiError(error)
        }
        guard answer.kind == .reply else {
            throw Self.apiError(answer.error ?? BusError(code: "unknown", message: "\(client.peer) answered without a result"))
        }
        return answer.result ?? .null
    }

    static func apiError(_ error: BusError) -> APIError {
        let status: HTTPResponse.Status = switch error.code {
        case ErrorCode.unknownSession, "not_found", ErrorCode.unknownInstance: .notFound
        case ErrorCode.badParams, ErrorCode.badMessage, ErrorCode.unknownOp: .badRequest
        case ErrorCode.sessionClosed, ErrorCode.sessionInUse: .conflict
        case ErrorCode.noBlender, ErrorCode.brokerUnreachable, ErrorCode.serviceUnreachable, ErrorCode.shuttingDown: .serviceUnavailable
        case ErrorCode.timeout: .gatewayTimeout
        default: .badGateway
        }
        return APIError(status, code: error.code, error.message)
    }

    // MARK: Request and response bodies

    private func id(_ context: BasicRequestContext) throws -> String {
        try pathParameter(context, "id", naming: "a session id")
    }

    /// A path segment as the client meant it: the router hands it over still percent-encoded,
    /// and `s%2D1` is the same session as `s-1` (RFC 3986 §6.2.2.2).
    private func pathParameter(_ context: BasicRequestContext, _ name: String, naming what: String = "a tool name") throws -> String {
        guard let raw = context.parameters.get(name), !raw.isEmpty else {
            throw APIError(.badRequest, code: "bad_params", "the path needs \(what)")
        }
        guard let decoded = raw.removingPercentEncoding, !decoded.isEmpty else {
            throw APIError(.badRequest, code: "bad_params", "the path's \(what) '\(raw)' is not percent-encoded UTF-8")
        }
        return decoded
    }

    /// The request's JSON object body (empty allowed). With `allowed`, the body may hold only
    /// those fields, each a string (the only kind of field such a body has), never null.
    private func body(_ request: Request, allowed: Set<String>?) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: maxBody)
        guard buffer.readableBytes > 0 else { return [:] }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, code: "bad_json", "the request body is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw APIError(.badRequest, code: "bad_json", "the request body must be a JSON object")
        }
        if let allowed, let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError(.badRequest, code: "bad_params", "unknown field '\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        if allowed != nil, let (name, wrong) = object.sorted(by: { $0.key < $1.key }).first(where: { $0.value.stringValue == nil }) {
            throw APIError(.badRequest, code: "bad_params", "field '\(name)' must be a string, got \(wrong.description.prefix(80))")
        }
        return value
    }

    private static func integer(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int(raw), range.contains(number) else {
            throw APIError(.badRequest, code: "bad_params", "query '\(name)' must be a whole number in \(range.lowerBound)…\(range.upperBound), got '\(raw)'")
        }
        return number
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        raw(Data(JSONWriter(sortedKeys: true).bytes(value)), type: "application/json", status: status)
    }

    static func raw(_ data: Data, type: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
