import Foundation
import ServiceKit
import ZeroMQ

/// The event bus hub: publishers connect to the XSUB side, subscribers to the XPUB side, and
/// subscriptions flow upstream so publishers only send what someone wants. Served on the
/// broker's loop rather than with zmq_proxy so one thread owns every broker socket.
final class EventProxy {
    /// In-process endpoint the broker's own publisher uses, whatever address the XSUB binds.
    static let localInput = "inproc://bmcp-events-in"

    private let input: Socket
    private let output: Socket

    init(loop: SocketLoop, inputEndpoint: String, outputEndpoint: String) throws {
        input = try loop.makeSocket(.xsub)
        output = try loop.makeSocket(.xpub)
        try input.bind(inputEndpoint)
        try input.bind(Self.localInput)
        // A slow subscriber must not stall the bus; it detects the gap by sequence number.
        try output.set(.sendHighWaterMark(100_000))
        try output.bind(outputEndpoint)
        loop.watch(input) { [unowned self] in try self.forward(from: input, to: output) }
        loop.watch(output) { [unowned self] in try self.forward(from: output, to: input) }
    }

    private func forward(from source: Socket, to destination: Socket) throws {
        while let frames = try source.receive(dontWait: true) {
            _ = try? destination.send(frames, dontWait: true)
        }
    }
}
