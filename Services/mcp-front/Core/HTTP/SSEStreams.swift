import Foundation
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

    init(keepAlive: Duration = .seconds(15)) {
        self.keepAlive = keepAlive
    }

    var count: Int { lock.withLock { open.count } }

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
