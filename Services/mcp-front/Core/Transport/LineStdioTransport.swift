import Foundation
import Logging
import MCP

#if canImport(Glibc)
import Glibc
#endif

/// MCP's stdio transport (newline-delimited JSON-RPC) with stdin read by a dedicated thread
/// that blocks in read(2). The SDK's StdioTransport polls a non-blocking stdin and sleeps
/// 10 ms whenever it is empty, which adds up to 10 ms to every tool call.
public actor LineStdioTransport: Transport {
    public nonisolated let logger: Logger
    private let input: Int32
    private let output: Int32
    private let messages: AsyncThrowingStream<Data, Error>
    private let continuation: AsyncThrowingStream<Data, Error>.Continuation
    private var connected = false
    /// Sees each line first; a line it takes never reaches the SDK's `Server`.
    private var interceptor: (@Sendable (Data) -> Bool)?

    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, logger: Logger) {
        self.input = input
        self.output = output
        self.logger = logger
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    /// Lets `take` answer lines itself (`DirectRequests`); set before the server starts.
    func intercept(_ take: @escaping @Sendable (Data) -> Bool) {
        interceptor = take
    }

    public func connect() async throws {
        guard !connected else { return }
        connected = true
        let interceptor = interceptor
        let input = input
        let continuation = continuation
        let logger = logger
        let reader = Thread {
            var pending = Data()
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = read(input, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    if count < 0 { logger.error("stdin read failed: \(String(cString: strerror(errno)))") }
                    break
                }
                pending.append(contentsOf: chunk[0..<count])
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    if !line.isEmpty {
                        let message = Data(line)
                        if interceptor?(message) != true { continuation.yield(message) }
                    }
                    pending = Data(pending[(newline + 1)...])
                }
            }
            continuation.finish()
        }
        reader.name = "mcp-front.stdin"
        reader.start()
    }

    public func disconnect() async {
        connected = false
        continuation.finish()
    }

    /// Writes one message and its newline. stdout is a pipe the client reads, so this is a
    /// short blocking write.
    public func send(_ data: Data) async throws {
        var framed = data
        framed.append(0x0A)
        try framed.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(output, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
                }
                offset += written
            }
        }
    }

    public nonisolated func receive() -> AsyncThrowingStream<Data, Error> {
        messages
    }
}
