import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
@testable import MCPFrontCore

/// The bodies of Server-Sent Events streams: a client that stops reading cannot make mcp-front
/// hold its events without end.
@Suite struct SSEStreamsTests {
    /// A client that never takes what it is sent: its first write never returns.
    struct StuckClient: ResponseBodyWriter {
        mutating func write(_ buffer: ByteBuffer) async throws {
            try await Task.sleep(for: .seconds(3600))
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    @Test func aStreamWhoseClientFallsBehindIsEndedAtItsQueueLimit() async throws {
        let streams = SSEStreams(keepAlive: .seconds(3600), limit: 10, queueLimit: 10_000)
        let (source, events) = AsyncThrowingStream.makeStream(of: Data.self)
        let body = streams.body(source)
        let client = Task { try await body.write(StuckClient()) }
        defer { client.cancel() }
        #expect(streams.count == 1)
        var sent = 0
        for _ in 0..<1000 {
            guard case .enqueued = events.yield(Data(repeating: 0x61, count: 100)) else { break }
            sent += 1
            if streams.count == 0 { break }
            await Task.yield()
        }
        for _ in 0..<200 where streams.count > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(streams.count == 0, "the stream should have been ended")
        #expect(sent < 1000 || streams.count == 0)
    }

    @Test func oneChunkLargerThanTheLimitStillGoesOut() {
        let queue = QueuedBytes(limit: 100)
        #expect(queue.admit(5000))
        #expect(!queue.admit(1))
        queue.taken(5000)
        #expect(queue.held == 0)
        #expect(queue.admit(60) && queue.admit(40) && !queue.admit(1))
    }
}
