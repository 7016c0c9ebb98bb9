import Foundation
import ServiceKit
import Hummingbird
import Logging

/// Every Server-Sent Events body mcp-front is writing (MCP streams and `/api/events`). Each one
/// gets a comment line every `keepAlive`, so a client that vanished is noticed at the next write
/// (a stream that only waits would hold its connection forever), and `finishAll` ends them
/// all so a graceful shutdown does not wait on endless streams.
///
/// A client that reads slower than its events come would make its body's queue grow without
/// end; past `queueLimit` bytes not yet written the stream is ended instead (the ZeroMQ guide's
/// "suicidal snail"). A handshake-era MCP client then resumes with `Last-Event-ID` from its
/// session's replay buffer; nothing else on the server waits for it.
final class SSEStreams: @unchecked Sendable {
    private let lock = NSLock()
    private var open: [UUID: AsyncStream<Data>.Continuation] = [:]
    private var finished = false
    let keepAlive: Duration
    /// BMCP_SSE_STREAMS: streams written at once.
    let limit: Int
    /// BMCP_SSE_QUEUE_BYTES: bytes one stream may hold that its client has not taken yet.
    let queueLimit: Int
    private let logger = Logger(label: "mcp-front.sse")

    init(keepAlive: Duration = .seconds(15), limit: Int = Settings.sseStreams.defaultCount,
         queueLimit: Int = Settings.sseQueueBytes.defaultCount) {
        self.keepAlive = keepAlive
        self.limit = limit
        self.queueLimit = queueLimit
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

    /// One Server-Sent Event as written on every stream here: its name, its id when it has one,
    /// and `data` on one line (JSON text, which carries no raw newline).
    static func event(_ name: String, id: String? = nil, data: Data) -> Data {
        var head = "event: \(name)\n"
        if let id { head += "id: \(id)\n" }
        return Data((head + "data: ").utf8) + data + Data("\n\n".utf8)
    }

    /// A response body writing `first`, then `chunks` (already SSE-formatted) as they come.
    func body(first: Data? = nil, _ chunks: AsyncThrowingStream<Data, Error>) -> ResponseBody {
        let queue = QueuedBytes(limit: queueLimit)
        let merged = merge(chunks, queue: queue)
        return ResponseBody { writer in
            if let first { try await writer.write(ByteBuffer(bytes: first)) }
            for await chunk in merged {
                queue.taken(chunk.count)
                try await writer.write(ByteBuffer(bytes: chunk))
            }
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

    private func merge(_ chunks: AsyncThrowingStream<Data, Error>, queue: QueuedBytes) -> AsyncStream<Data> {
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
        let logger = logger
        let overflow = { @Sendable in
            logger.warning("ended an event stream whose client fell \(queue.held) bytes behind (BMCP_SSE_QUEUE_BYTES=\(queue.limit))")
            continuation.finish()
        }
        let forward = Task {
            do {
                for try await chunk in chunks {
                    guard queue.admit(chunk.count) else { overflow(); return }
                    continuation.yield(chunk)
                }
            } catch {
                // The source failed (an MCP session ended): end this body too.
            }
            continuation.finish()
        }
        let keepAlive = keepAlive
        let tick = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: keepAlive)
                let line = Data(": keep-alive\n\n".utf8)
                guard queue.admit(line.count) else { overflow(); return }
                continuation.yield(line)
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

/// The bytes a stream's body holds that its client has not taken: one chunk is always let in
/// (a result larger than the limit still goes out), more only while under the limit.
final class QueuedBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var held: Int { lock.withLock { bytes } }

    func admit(_ count: Int) -> Bool {
        lock.withLock {
            guard bytes == 0 || bytes + count <= limit else { return false }
            bytes += count
            return true
        }
    }

    func taken(_ count: Int) {
        lock.withLock { bytes = max(0, bytes - count) }
    }
}
