import Foundation
import ServiceKit
import Hummingbird

/// Every Server-Sent Events body mcp-front is writing (MCP streams and `/api/events`). Each one
/// gets a comment line every `keepAlive`, so a client that vanished is noticed at the next write
/// (a stream that only waits would hold its connection forever), and `finishAll` ends them
/// all so a graceful shutdown does not wait on endless streams.
final class SSEStreams: @unchecked Sendable {
    private let lock = NSLock()
    private var open: [UUID: AsyncStream<Data>.Continuation] = [:]
    private var finished = false
    let keepAlive: Duration
    /// BMCP_SSE_STREAMS: streams written at once.
    let limit: Int

    init(keepAlive: Duration = .seconds(15), limit: Int = Settings.sseStreams.defaultCount) {
        self.keepAlive = keepAlive
        self.limit = limit
    }

    var count: Int { lock.withLock { open.count } }

    /// A 503 naming the setting when `limit` streams are open, else nil. Checked before a
    /// request is taken on, so nothing runs whose answer could not be written.
    func refusal() -> Response? {
        let open = count
        guard open >= limit else { return nil }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.retryAfter] = "5"
        let message = "mcp-front is writing \(open) event streams, its limit (BMCP_SSE_STREAMS=\(limit)); try again when one has ended"
        let body = #"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"\#(message)","data":{"code":"over_capacity","setting":"BMCP_SSE_STREAMS"}}}"#
        return Response(status: .serviceUnavailable, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// A response body writing `first`, then `chunks` (already SSE-formatted) as they come.
    func body(first: Data? = nil, _ chunks: AsyncThrowingStream<Data, Error>) -> ResponseBody {
        let merged = merge(chunks)
        return ResponseBody { writer in
            if let first { try await writer.write(ByteBuffer(bytes: first)) }
            for await chunk in merged { try await writer.write(ByteBuffer(bytes: chunk)) }
            try await writer.finish(nil)
        }
    }

    func finishAll() {
        let all = lock.withLock { () -> [AsyncStream<Data>.Continuation] in
            finished = true
            defer { open.removeAll() }
            return Array(open.values)
        }
        for continuation in all { continuation.finish() }
    }

    private func merge(_ chunks: AsyncThrowingStream<Data, Error>) -> AsyncStream<Data> {
        let (stream, continuation) = AsyncStream.makeStream(of: Data.self)
        let id = UUID()
        let accepted = lock.withLock { () -> Bool in
            guard !finished else { return false }
            open[id] = continuation
            return true
        }
        guard accepted else {
            continuation.finish()
            return stream
        }
        let forward = Task {
            do {
                for try await chunk in chunks { continuation.yield(chunk) }
            } catch {
                // The source failed (an MCP session ended): end this body too.
            }
            continuation.finish()
        }
        let keepAlive = keepAlive
        let tick = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: keepAlive)
                continuation.yield(Data(": keep-alive\n\n".utf8))
            }
        }
        continuation.onTermination = { [weak self] _ in
            forward.cancel()
            tick.cancel()
            guard let self else { return }
            _ = self.lock.withLock { self.open.removeValue(forKey: id) }
        }
        return stream
    }
}
