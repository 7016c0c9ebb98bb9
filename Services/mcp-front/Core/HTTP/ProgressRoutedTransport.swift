import BusMessages
import Foundation
import Logging
import MCP

/// The SDK's `StatefulHTTPServerTransport`, with `notifications/progress` sent on the stream of
/// the request they report on.
///
/// The SDK routes every notification to the standalone GET stream: a tool's last progress
/// notification and its result then travel on two streams, and the result can win. A client
/// stops listening for a request's progress once its result is in (the `mcp` 1.x Python client
/// drops the callback), so that notification was lost now and then. The revision's own rule
/// is that a notification about a request goes on that request's stream; here a POST whose
/// request carries a `progressToken` gets a stream that this transport writes the matching
/// progress into, ahead of the result (the tool's handler awaits each report before it
/// returns, so the order holds).
///
/// Everything else is the SDK's: sessions, the GET stream, resumption, DELETE. Progress events
/// are not stored for `Last-Event-ID` replay: a resumed stream gets the result, not old progress.
actor ProgressRoutedTransport: Transport, HTTPContextProviding {
    let inner: StatefulHTTPServerTransport
    nonisolated let logger: Logger
    /// The open request streams that asked for progress, by the JSON text of their token.
    private var progressStreams: [String: AsyncThrowingStream<Data, Error>.Continuation] = [:]

    init(_ inner: StatefulHTTPServerTransport, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    func connect() async throws { try await inner.connect() }

    func disconnect() async {
        for continuation in progressStreams.values { continuation.finish() }
        progressStreams.removeAll()
        await inner.disconnect()
    }

    func receive() -> AsyncThrowingStream<Data, Error> {
        // The SDK asks once, at start; the inner stream is reached through the actor hop.
        AsyncThrowingStream { continuation in
            let forward = Task {
                do {
                    for try await message in await inner.receive() { continuation.yield(message) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in forward.cancel() }
        }
    }

    func send(_ data: Data) async throws {
        if let token = Self.progressToken(ofNotification: data), let stream = progressStreams[token] {
            stream.yield(Data("event: message\ndata: \(String(decoding: data, as: UTF8.self))\n\n".utf8))
            return
        }
        try await inner.send(data)
    }

    /// The SDK's answer to `request`; a request asking for progress gets a stream that also
    /// carries its progress.
    func handleRequest(_ request: MCP.HTTPRequest) async -> MCP.HTTPResponse {
        guard request.method.uppercased() == "POST", let body = request.body,
              let token = Self.progressToken(ofRequest: body), progressStreams[token] == nil
        else {
            return await inner.handleRequest(request)
        }
        // Registered before the SDK sees the request: its handler may report at once.
        let (merged, continuation) = AsyncThrowingStream<Data, Error>.makeStream()
        progressStreams[token] = continuation
        let response = await inner.handleRequest(request)
        guard case .stream(let answer, let headers) = response else {
            progressStreams[token] = nil
            continuation.finish()
            return response
        }
        Task {
            do {
                for try await chunk in answer { continuation.yield(chunk) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
            closeProgress(token)  // the task runs on this actor
        }
        return .stream(merged, headers: headers)
    }

    /// Handlers still see the HTTP request that reached them (`Server.currentHandlerContext`).
    func httpRequestContext(for id: ID) async -> MCP.HTTPRequest? {
        await inner.httpRequestContext(for: id)
    }

    private func closeProgress(_ token: String) {
        progressStreams[token] = nil
    }

    /// `params._meta.progressToken` of a JSON-RPC request, as JSON text.
    static func progressToken(ofRequest body: Data) -> String? {
        guard case .object(let message)? = try? JSONParser.parse(body), message["id"] != nil,
              message["method"] != nil, let token = message["params"]?["_meta"]?["progressToken"]
        else { return nil }
        return String(decoding: JSONWriter().bytes(token), as: UTF8.self)
    }

    /// `params.progressToken` of a `notifications/progress`, as JSON text.
    static func progressToken(ofNotification data: Data) -> String? {
        // Cheap test first: this runs for every message the server sends (JSONEncoder may
        // write the method's slash as "\/", so look for the word alone).
        guard data.count < 65_536, String(decoding: data, as: UTF8.self).contains("progress"),
              case .object(let message)? = try? JSONParser.parse(data),
              message["method"]?.stringValue == "notifications/progress", message["id"] == nil,
              let token = message["params"]?["progressToken"]
        else { return nil }
        return String(decoding: JSONWriter().bytes(token), as: UTF8.self)
    }
}
