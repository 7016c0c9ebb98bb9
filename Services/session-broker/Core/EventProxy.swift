import BusMessages
import Foundation
import Logging
import ServiceKit
import ZeroMQ

/// The event bus hub: publishers connect to the XSUB side, subscribers to the XPUB side, and
/// subscriptions flow upstream so publishers only send what someone wants. Served on the
/// broker's loop rather than with zmq_proxy so one thread owns every broker socket.
///
/// The broker's own publisher has an input of its own (`localInput`, in-process). Events on
/// the shared input that claim the broker as their source are dropped: log-writer writes the
/// session logs from the broker's records alone, so no other publisher, however
/// authenticated, can put a line in them.
final class EventProxy {
    /// In-process endpoint the broker's own publisher uses, whatever address the XSUB binds.
    static let localInput = "inproc://bmcp-events-in"

    /// Other services' publishers (bridges, log-writer, prompt-service, mcp-front).
    private let input: Socket
    /// The broker's own publisher only.
    private let local: Socket
    private let output: Socket
    private let brokerSourcePrefix: String
    private let codec = EnvelopeCodec()
    private let logger: Logger
    private var forgeriesLogged = 0

    init(loop: SocketLoop, inputEndpoint: String, outputEndpoint: String, brokerSourcePrefix: String) throws {
        input = try loop.makeSocket(.xsub)
        local = try loop.makeSocket(.xsub)
        output = try loop.makeSocket(.xpub)
        self.brokerSourcePrefix = brokerSourcePrefix
        logger = loop.logger
        try input.set(.maxMessageSize(Int64(EnvelopeCodec.defaultLimit)))
        try loop.bind(input, to: inputEndpoint)
        try local.bind(Self.localInput)
        // A slow subscriber must not stall the bus; it detects the gap by sequence number.
        try output.set(.sendHighWaterMark(100_000))
        try loop.bind(output, to: outputEndpoint)
        loop.watch(input) { [unowned self] in try self.forwardPublished() }
        loop.watch(local) { [unowned self] in try self.forward(from: local, to: [output]) }
        // Subscriptions go to both inputs, so each publisher sends only what someone wants.
        loop.watch(output) { [unowned self] in try self.forward(from: output, to: [input, local]) }
    }

    private func forward(from source: Socket, to destinations: [Socket]) throws {
        while let frames = try source.receive(dontWait: true) {
            for destination in destinations { _ = try? destination.send(frames, dontWait: true) }
        }
    }

    private func forwardPublished() throws {
        while let frames = try input.receive(dontWait: true) {
            guard !claimsBroker(frames) else { continue }
            _ = try? output.send(frames, dontWait: true)
        }
    }

    /// True for an event whose envelope names the broker as its source. An envelope that does
    /// not decode is passed on: subscribers skip what they cannot read, and none trusts it.
    private func claimsBroker(_ frames: [Data]) -> Bool {
        guard let payload = frames.last, let source = (try? codec.decode(payload))?.source,
              source.hasPrefix(brokerSourcePrefix) else { return false }
        if forgeriesLogged < 10 {
            forgeriesLogged += 1
            logger.warning("dropped an event published as '\(source)' by another publisher: only the broker's own events carry its name")
        }
        return true
    }
}
