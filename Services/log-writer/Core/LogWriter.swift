import BusMessages
import Foundation
import Logging
import ServiceKit
import ZeroMQ

public struct LogWriterConfiguration: Sendable {
    public var eventsOutEndpoint: String
    public var queryEndpoint: String
    public var dataDirectory: String

    public init(eventsOutEndpoint: String, queryEndpoint: String, dataDirectory: String) {
        self.eventsOutEndpoint = eventsOutEndpoint
        self.queryEndpoint = queryEndpoint
        self.dataDirectory = dataDirectory
    }
}

/// Writes every session's events to disk.
///
/// - `events` SUB on the proxy's XPUB, subscribed to "session/" topics only.
/// - `queries` ROUTER for reads (health now; log and state reads come with the log issue).
///
/// Loop-confined.
public final class LogWriter {
    private let logger: Logger
    private let events: Socket
    private let log: CommandLog
    private let codec = EnvelopeCodec()
    private let queries: QueryResponder
    private var written: UInt64 = 0

    public init(loop: SocketLoop, configuration: LogWriterConfiguration) throws {
        logger = loop.logger
        log = try CommandLog(dataDirectory: configuration.dataDirectory)
        events = try loop.makeSocket(.sub)
        try events.set(.receiveHighWaterMark(100_000))
        try events.set(.subscribe(Data("session/".utf8)))
        try events.connect(configuration.eventsOutEndpoint)
        queries = try QueryResponder(loop: loop, endpoint: configuration.queryEndpoint, source: "log-writer")
        queries.handle(Op.health) { [unowned self] _ in
            ["status": "ok", "events_written": .int(Int64(self.written)), "data": .string(self.log.root.path)]
        }
        loop.watch(events) { [unowned self] in try self.drainEvents() }
        logger.info("log-writer writing to \(log.root.path), events from \(configuration.eventsOutEndpoint)")
    }

    private func drainEvents() throws {
        while let frames = try events.receive(dontWait: true) {
            guard let payload = frames.last else { continue }
            do {
                try log.append(try codec.decode(payload))
                written += 1
            } catch {
                logger.error("event not logged: \(error)")
            }
        }
    }
}
