import BusMessages
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// MCP 2026-07-28 over HTTP: one POST, one JSON-RPC request, one response; no
/// `Mcp-Session-Id` and nothing kept between requests, so any replica behind a load balancer
/// answers. A request whose answer comes with notifications (a `subscriptions/listen`
/// stream, or a `tools/call` that asked for progress) is answered as Server-Sent Events;
/// closing that stream is how the client cancels. Everything else is plain JSON, with the
/// revision's HTTP status for errors (400 for a bad envelope or header, 404 for an unknown
/// method).
struct ModernHTTPExchange: Sendable {
    let requests: ModernRequests
    let streams: SSEStreams
    /// The bearer token, if auth is on: the caller's identity at the broker is derived from
    /// it (never the token itself), so a client's calls keep their sessions on every replica.
    let token: String?

    /// Whether `body` is a 2026-07-28 message, to be answered here rather than by the SDK.
    static func claims(_ body: Data) -> [String: JSONValue]? {
        guard case .object(let message)? = try? JSONParser.parse(body), ModernProtocol.isModern(message) else { return nil }
        return message
    }

    func respond(_ message: [String: JSONValue], request: Request) async -> Response {
        // The revision has no client-to-server notifications over HTTP (cancelling is closing
        // the stream): acknowledge and drop.
        guard message["id"] != nil else { return Response(status: .accepted) }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let caller = caller(clientName: message["params"]?["_meta"]?[ModernProtocol.clientInfoKey]?["name"]?.stringValue)
        let method = message["method"]?.stringValue
        let streamed = method == "subscriptions/listen"
            || (method == "tools/call" && message["params"]?["_meta"]?["progressToken"] != nil)
        guard streamed, ModernProtocol.refusal(of: message, headers: headers) == nil else {
            let response = await requests.answer(message, headers: headers, caller: caller) { _ in }
            return Self.json(response ?? [:])
        }
        let (chunks, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        let requests = requests
        let work = Task {
            let response = await requests.answer(message, headers: headers, caller: caller) { notification in
                continuation.yield(Self.event(notification))
            }
            if let response { continuation.yield(Self.event(response)) }
            continuation.finish()
        }
        continuation.onTermination = { end in
            if case .cancelled = end { work.cancel() }
        }
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: fields, body: streams.body(chunks))
    }

    /// `mcp-front/2026:<client name>@<token digest>`: the same on every replica for the same
    /// client and token, different for another client sharing the token.
    func caller(clientName: String?) -> String {
        let name = (clientName ?? "client").filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }.prefix(40)
        let digest = MessageAuthentication.hmacHex(key: "bmcp-caller", message: token ?? "").prefix(12)
        return "mcp-front/2026:\(name)@\(digest)"
    }

    static func event(_ message: JSONValue) -> Data {
        SSEStreams.event("message", data: Data(JSONWriter().bytes(message)))
    }

    static func json(_ response: JSONValue) -> Response {
        let code = response["error"]?["code"]?.intValue
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return Response(status: .init(code: code.map(ModernProtocol.httpStatus) ?? 200), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter().bytes(response))))
    }
}
