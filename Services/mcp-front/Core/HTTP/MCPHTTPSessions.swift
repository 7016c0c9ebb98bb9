import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCP
import ServiceKit

/// MCP over Streamable HTTP at `/mcp`, handshake era: one `SessionHTTPTransport` and one MCP
/// server per MCP session (the `Mcp-Session-Id` the transport assigns at `initialize`), each
/// with its own current Blender session. The transport does SSE, resumption with
/// `Last-Event-ID` and DELETE; this actor only finds the session a request belongs to, and
/// ends sessions a client abandoned.
actor MCPHTTPSessions {
    private struct Entry {
        let transport: SessionHTTPTransport
        let server: Server
        let connection: ConnectionSession
        var lastUsed: ContinuousClock.Instant
    }

    private let backend: MCPBackend
    private let logger: Logger
    private let idleLimit: Duration
    /// BMCP_HTTP_SESSIONS: MCP sessions open at once.
    private let maxSessions: Int
    /// BMCP_SSE_REPLAY_BYTES, for each session's transport.
    private let replayBytes: Int
    private var entries: [String: Entry] = [:]

    init(backend: MCPBackend, logger: Logger, idleLimit: Duration = .seconds(3600), maxSessions: Int = Settings.httpSessions.defaultCount,
         replayBytes: Int = Settings.sseReplayBytes.defaultCount) {
        self.backend = backend
        self.logger = logger
        self.idleLimit = idleLimit
        self.maxSessions = maxSessions
        self.replayBytes = replayBytes
    }

    func handle(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        guard let id = request.header(HTTPHeaderName.sessionID) else {
            return await start(request)
        }
        guard var entry = entries[id] else {
            return .error(statusCode: 404, .invalidRequest("unknown or ended MCP session '\(id)': initialize a new one"))
        }
        entry.lastUsed = .now
        entries[id] = entry
        let response = await entry.transport.handleRequest(request)
        if request.method.uppercased() == "DELETE", response.statusCode == 200 {
            await end(id)
        }
        return response
    }

    /// A request without a session id may only be `initialize`, which starts one.
    private func start(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        guard request.method.uppercased() == "POST", let body = request.body, Self.isInitialize(body) else {
            return .error(statusCode: 400, .invalidRequest("missing \(HTTPHeaderName.sessionID) header: only 'initialize' may come without one"))
        }
        if entries.count >= maxSessions { await sweep() }
        guard entries.count < maxSessions else {
            logger.warning("MCP HTTP session refused: \(entries.count) open, the limit (BMCP_HTTP_SESSIONS)")
            return .error(statusCode: 503, .internalError(
                "mcp-front has \(entries.count) MCP sessions open, its limit (BMCP_HTTP_SESSIONS=\(maxSessions)); end one (DELETE /mcp) or wait until an idle one times out"))
        }
        // Origin is checked for every route by AccessMiddleware, with this server's own rules.
        let transport = SessionHTTPTransport(
            validation: StandardValidationPipeline(validators: [
                AcceptHeaderValidator(mode: .sseRequired), ContentTypeValidator(), ProtocolVersionValidator(), SessionValidator(),
            ]),
            retryInterval: 1000, replayBytes: replayBytes, logger: logger)
        let connection = ConnectionSession(client: "mcp-front/http-\(instanceTag())", preset: nil)
        let server = await backend.makeServer(connection: connection)
        do {
            try await server.start(transport: transport)
        } catch {
            await backend.retire(server, connection: connection)
            return .error(statusCode: 500, .internalError("could not start an MCP session: \(error)"))
        }
        let response = await transport.handleRequest(request)
        if let id = response.headers.first(where: { $0.key.lowercased() == HTTPHeaderName.sessionID.lowercased() })?.value {
            entries[id] = Entry(transport: transport, server: server, connection: connection, lastUsed: .now)
            logger.info("MCP HTTP session \(id) started (\(entries.count) open)")
        } else {
            await server.stop()
            await backend.retire(server, connection: connection)
        }
        return response
    }

    private static func isInitialize(_ body: Data) -> Bool {
        guard let message = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return false }
        return message["method"] as? String == "initialize" && message["id"] != nil
    }

    private func end(_ id: String) async {
        guard let entry = entries.removeValue(forKey: id) else { return }
        await entry.server.stop()
        await backend.retire(entry.server, connection: entry.connection)
        logger.info("MCP HTTP session \(id) ended (\(entries.count) open)")
    }

    /// Ends sessions idle for longer than the limit: a client that vanished without DELETE.
    func sweep() async {
        let now = ContinuousClock.now
        for (id, entry) in entries where now - entry.lastUsed > idleLimit {
            await entry.transport.disconnect()
            await end(id)
        }
    }

    func endAll() async {
        for id in Array(entries.keys) { await end(id) }
    }
}

/// Conversions between Hummingbird's request/response and the SDK's framework-neutral ones.
enum MCPHTTPBridge {
    static func request(_ request: Request, body: Data?) -> MCP.HTTPRequest {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        return MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: body, path: request.uri.path)
    }

    static func response(_ response: MCP.HTTPResponse, streams: SSEStreams) -> Response {
        var headers = HTTPFields()
        for (name, value) in response.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: response.statusCode)
        switch response {
        case .stream(let stream, _):
            return Response(status: status, headers: headers, body: streams.body(stream))
        default:
            let body = response.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(bytes: $0)) } ?? ResponseBody()
            return Response(status: status, headers: headers, body: body)
        }
    }
}
