import BusMessages
import Foundation
import ServiceKit
import ZeroMQ

/// mcp-front's ear on the event bus: a SUB socket on its own loop thread, passing the events
/// it cares about (a session file changed, the prompt dictionary reloaded) to async code.
final class BusWatcher: @unchecked Sendable {
    private let loop: SocketLoop
    private let continuation: AsyncStream<Envelope>.Continuation
    let events: AsyncStream<Envelope>

    /// Subscribes to topics starting with `prefixes`, passing on events named in `names`.
    init(endpoint: String, prefixes: [String], names: Set<String>) throws {
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
        loop = try SocketLoop(name: "mcp-front.events")
        let continuation = continuation
        loop.start { loop in
            let socket = try loop.makeSocket(.sub)
            for prefix in prefixes { try socket.set(.subscribe(Data(prefix.utf8))) }
            try socket.connect(endpoint)
            let codec = EnvelopeCodec()
            loop.watch(socket) {
                while let frames = try socket.receive(dontWait: true) {
                    guard let payload = frames.last, let event = try? codec.decode(payload), names.contains(event.op ?? "") else { continue }
                    continuation.yield(event)
                }
            }
        }
    }

    func shutdown() async {
        continuation.finish()
        loop.stop()
        try? await loop.finished()
    }
}
