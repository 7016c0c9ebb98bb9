import BusMessages
import Foundation
import Logging
import MCP
import ServiceKit

/// Streamable HTTP for one handshake-era MCP session (2025-03-26 … 2025-11-25): the
/// `Mcp-Session-Id` given at `initialize`, a Server-Sent Events stream per POSTed request, the
/// standalone GET stream, `Last-Event-ID` resumption from a bounded `ReplayBuffer`, DELETE.
///
/// Ours rather than the SDK's `StatefulHTTPServerTransport` for two reasons, both measured:
/// the SDK keeps every event a session ever sent (a 30-minute soak grew mcp-front from 50 to
/// 104 MiB), and it routes every notification to the GET stream, so a tool's last progress
/// notification and its result travelled on two streams and the result could win (the `mcp`
/// 1.x client then drops the progress). Here a notification about a request goes on that
/// request's own stream ahead of its result, as the revision says: the tool's handler awaits
/// each report before it returns, so the order holds. The SDK still validates the headers
/// (its validators) and runs the MCP server on top (`Transport`).
///
/// Contract: `handleRequest` is the only way in from HTTP; `send` is called by the SDK's
/// server. After `disconnect` or DELETE every request gets 404.
actor SessionHTTPTransport: Transport, HTTPContextProviding {
    nonisolated let logger: Logger
    private let validation: any HTTPRequestValidationPipeline
    /// Milliseconds a client waits before it resumes a broken stream (the priming event's `retry`).
    private let retryInterval: Int?

    private var sessionID: String?
    private var started = false
    private var terminated = false

    private let incoming: AsyncThrowingStream<Data, Error>
    private let incomingContinuation: AsyncThrowingStream<Data, Error>.Continuation

    private typealias Continuation = AsyncThrowingStream<Data, Error>.Continuation
    /// A stream being written, tagged so a late end-of-stream callback cannot close its successor.
    private struct OpenStream {
        let tag: Int
        let continuation: Continuation
    }
    /// The stream name of the standalone GET stream; request streams are named by request id.
    static let standaloneStream = "_GET_stream"
    /// Open streams by name: each POSTed request's until its result, and the GET stream.
    private var streams: [String: OpenStream] = [:]
    private var nextTag = 0
    /// The HTTP request behind each request still running (`Server.currentHandlerContext`).
    private var requestContexts: [String: MCP.HTTPRequest] = [:]
    /// Requests that asked for progress: the JSON text of the token → the request's stream.
    private var progressStreams: [String: String] = [:]
    private var replay: ReplayBuffer

    init(validation: any HTTPRequestValidationPipeline, retryInterval: Int? = 1000,
         replayBytes: Int = ServiceKit.Settings.sseReplayBytes.defaultCount, logger: Logger) {
        self.validation = validation
        self.retryInterval = retryInterval
        self.replay = ReplayBuffer(limitBytes: replayBytes)
        self.logger = logger
        (incoming, incomingContinuation) = AsyncThrowingStream<Data, Error>.makeStream()
    }

    /// Bytes and events held for resumption (health and tests).
    var replayHeld: (bytes: Int, events: Int) { (replay.heldBytes, replay.count) }

    // MARK: Transport

    func connect() async throws {
        guard !started else { throw MCPError.internalError("the HTTP session transport was already started") }
        started = true
    }

    func disconnect() async { terminate() }

    func receive() -> AsyncThrowingStream<Data, Error> { incoming }

    /// A result goes on its request's stream and ends it; progress on the stream of the
    /// request it reports on; every other notification and server request on the GET stream.
    func send(_ data: Data) async throws {
        guard !terminated else { throw MCPError.connectionClosed }
        switch Self.kind(of: data) {
        case .response(let id):
            write(data, on: id)
            end(stream: id)
        case .notification(_, let token?) where progressStreams[token] != nil:
            write(data, on: progressStreams[token]!)
        case .notification, .request:
            write(data, on: Self.standaloneStream)
        case nil:
            logger.warning("MCP server sent a message that is not JSON-RPC; dropped (\(data.count) bytes)")
        }
    }

    func httpRequestContext(for id: ID) -> MCP.HTTPRequest? { requestContexts[id.description] }

    // MARK: HTTP

    func handleRequest(_ request: MCP.HTTPRequest) -> MCP.HTTPResponse {
        guard !terminated else {
            return .error(statusCode: 404, .invalidRequest("MCP session \(sessionID ?? "") has ended: initialize a new one"), sessionID: sessionID)
        }
        switch request.method.uppercased() {
        case "POST": return post(request)
        case "GET": return get(request)
        case "DELETE":
            if let refusal = validate(request, method: "DELETE", initialize: false) { return refusal }
            terminate()
            return .ok(headers: sessionHeaders())
        default:
            return .error(statusCode: 405, .invalidRequest("method \(request.method) is not served at /mcp: use POST, GET or DELETE"),
                          sessionID: sessionID, extraHeaders: [HTTPHeaderName.allow: "GET, POST, DELETE"])
        }
    }

    private func post(_ request: MCP.HTTPRequest) -> MCP.HTTPResponse {
        guard let body = request.body, !body.isEmpty else {
            return .error(statusCode: 400, .parseError("the POST has no body: send one JSON-RPC message"), sessionID: sessionID)
        }
        guard let kind = Self.kind(of: body) else {
            return .error(statusCode: 400, .parseError("the body is not one JSON-RPC request, notification or response"), sessionID: sessionID)
        }
        let isInitialize: Bool
        if case .request(_, "initialize", _) = kind { isInitialize = true } else { isInitialize = false }
        if let refusal = validate(request, method: "POST", initialize: isInitialize) { return refusal }
        guard case .request(let id, _, let token) = kind else {
            incomingContinuation.yield(body)
            return .accepted(headers: sessionHeaders())
        }
        if isInitialize {
            guard sessionID == nil else {
                return .error(statusCode: 400, .invalidRequest("this MCP session is already initialized"), sessionID: sessionID)
            }
            sessionID = UUIDSessionIDGenerator().generateSessionID()
        }
        let version = isInitialize ? Self.initializeVersion(body) : request.header(HTTPHeaderName.protocolVersion)
        let response = open(stream: id, protocolVersion: version)
        requestContexts[id] = request
        // Registered before the server sees the request: its handler may report at once.
        if let token { progressStreams[token] = id }
        incomingContinuation.yield(body)
        return response
    }

    private func get(_ request: MCP.HTTPRequest) -> MCP.HTTPResponse {
        if let refusal = validate(request, method: "GET", initialize: false) { return refusal }
        let version = request.header(HTTPHeaderName.protocolVersion)
        if let lastEventID = request.header(HTTPHeaderName.lastEventID) {
            switch replay.replay(after: lastEventID) {
            case .success(let found):
                let response = open(stream: found.stream, protocolVersion: version, replaying: found.events)
                // A request whose result went out already: the replay was all there is to say.
                if found.stream != Self.standaloneStream, requestContexts[found.stream] == nil {
                    streams.removeValue(forKey: found.stream)?.continuation.finish()
                }
                return response
            case .failure(.unknown):
                return .error(statusCode: 400, .invalidRequest("Last-Event-ID '\(lastEventID)' is not an event of this MCP session"), sessionID: sessionID)
            case .failure(.evicted(let oldest)):
                return .error(statusCode: 400, .invalidRequest(
                    "event \(lastEventID) is no longer held for replay: this MCP session keeps its last \(replay.limitBytes) bytes of events "
                    + "(BMCP_SSE_REPLAY_BYTES)" + (oldest.map { ", the oldest now \($0)" } ?? "")), sessionID: sessionID)
            }
        }
        guard streams[Self.standaloneStream] == nil else {
            return .error(statusCode: 409, .invalidRequest("this MCP session already has its GET stream open: only one is allowed"), sessionID: sessionID)
        }
        return open(stream: Self.standaloneStream, protocolVersion: version)
    }

    // MARK: Streams

    /// A new SSE stream under `name`, primed with an event id (from 2025-03-26 on, the first
    /// revision whose clients accept an event without data) after any replayed events.
    private func open(stream name: String, protocolVersion: String?, replaying: [ReplayBuffer.Event] = []) -> MCP.HTTPResponse {
        let (body, continuation) = AsyncThrowingStream<Data, Error>.makeStream()
        nextTag += 1
        let tag = nextTag
        streams[name]?.continuation.finish()
        streams[name] = OpenStream(tag: tag, continuation: continuation)
        // A client that goes away ends its stream: later messages are only held for replay.
        continuation.onTermination = { [weak self] _ in
            Task { await self?.streamGone(name, tag: tag) }
        }
        for event in replaying {
            if let message = event.message { continuation.yield(Self.sse(message, id: event.id)) }
        }
        if (protocolVersion ?? Version.latest) >= "2025-03-26" {
            let id = replay.append(stream: name, message: nil)
            continuation.yield(Data(("id: \(id)\n" + (retryInterval.map { "retry: \($0)\n" } ?? "") + "data: \n\n").utf8))
        }
        var headers = sessionHeaders()
        headers[HTTPHeaderName.contentType] = "text/event-stream"
        headers[HTTPHeaderName.cacheControl] = "no-cache, no-transform"
        headers[HTTPHeaderName.connection] = "keep-alive"
        return .stream(body, headers: headers)
    }

    /// Holds `message` for replay and writes it if its stream is open.
    private func write(_ message: Data, on name: String) {
        let id = replay.append(stream: name, message: message)
        streams[name]?.continuation.yield(Self.sse(message, id: id))
    }

    /// A request's result went out: its stream, context and progress routing end.
    private func end(stream name: String) {
        streams.removeValue(forKey: name)?.continuation.finish()
        requestContexts[name] = nil
        progressStreams = progressStreams.filter { $0.value != name }
    }

    private func streamGone(_ name: String, tag: Int) {
        guard streams[name]?.tag == tag else { return }
        streams[name] = nil
    }

    private func terminate() {
        guard !terminated else { return }
        terminated = true
        for stream in streams.values { stream.continuation.finish() }
        streams.removeAll()
        requestContexts.removeAll()
        progressStreams.removeAll()
        replay.removeAll()
        incomingContinuation.finish()
    }

    // MARK: Helpers

    private func validate(_ request: MCP.HTTPRequest, method: String, initialize: Bool) -> MCP.HTTPResponse? {
        validation.validate(request, context: HTTPValidationContext(
            httpMethod: method, sessionID: sessionID, isInitializationRequest: initialize,
            supportedProtocolVersions: Version.supported))
    }

    private func sessionHeaders() -> [String: String] {
        sessionID.map { [HTTPHeaderName.sessionID: $0] } ?? [:]
    }

    static func sse(_ message: Data, id: Int) -> Data {
        SSEStreams.event("message", id: String(id), data: message)
    }

    /// What a JSON-RPC message is, as far as routing needs: ids as the SDK's `ID.description`
    /// writes them (so "7" and 7 meet), progress tokens as JSON text.
    enum Kind: Equatable {
        case request(id: String, method: String, progressToken: String?)
        case notification(method: String, progressToken: String?)
        case response(id: String)
    }

    static func kind(of data: Data) -> Kind? {
        guard case .object(let message)? = try? JSONParser.parse(data) else { return nil }
        let id: String?
        switch message["id"] {
        case .string(let text)?: id = text
        case .int(let number)?: id = String(number)
        default: id = nil
        }
        if let method = message["method"]?.stringValue {
            let meta = message["params"]?["_meta"]
            if let id {
                return .request(id: id, method: method, progressToken: meta?["progressToken"].map(jsonText))
            }
            let token = method == "notifications/progress" ? message["params"]?["progressToken"].map(jsonText) : nil
            return .notification(method: method, progressToken: token)
        }
        if let id, message["result"] != nil || message["error"] != nil { return .response(id: id) }
        return nil
    }

    private static func jsonText(_ value: JSONValue) -> String {
        String(decoding: JSONWriter().bytes(value), as: UTF8.self)
    }

    /// `params.protocolVersion` of an `initialize`: the version its stream is primed for.
    private static func initializeVersion(_ body: Data) -> String? {
        guard case .object(let message)? = try? JSONParser.parse(body) else { return nil }
        return message["params"]?["protocolVersion"]?.stringValue
    }
}
