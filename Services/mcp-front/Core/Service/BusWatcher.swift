import BusMessages
import Foundation
import ServiceKit
import ZeroMQ

/// mcp-front's ear on the event bus: a SUB socket on its own loop thread, fanning events out
/// to async listeners (MCP notifications, the HTTP API's `/api/events` streams). A listener
/// that falls behind loses its oldest events, never blocks the socket thread or the others.
final class BusWatcher: @unchecked Sendable {
    private let loop: SocketLoop
    private let lock = NSLock()
    private var listeners: [UUID: Listener] = [:]
    private var closed = false
    /// The SUB socket; loop-thread only.
    private var subscriber: Socket?

    private struct Listener {
        /// The ops wanted (nil: all), and their UTF-8 bytes for the look before decoding.
        let names: Set<String>?
        let nameBytes: [Data]?
        let session: String?
        let continuation: AsyncStream<Envelope>.Continuation

        func accepts(_ event: Envelope) -> Bool {
            (names?.contains(event.op ?? "") ?? true) && (session == nil || event.session == session)
        }
    }

    /// Subscribes to topics starting with `prefixes`.
    init(endpoint: String, prefixes: [String]) throws {
        loop = try SocketLoop(name: "mcp-front.events")
        loop.start { [self] loop in
            let socket = try loop.makeSocket(.sub)
            for prefix in prefixes { try socket.set(.subscribe(Data(prefix.utf8))) }
            try loop.connect(socket, to: endpoint)
            subscriber = socket
            let codec = EnvelopeCodec()
            loop.watch(socket) { [self] in
                while let frames = try socket.receive(dontWait: true) {
                    guard let payload = frames.last, wanted(payload), let event = try? codec.decode(payload) else { continue }
                    deliver(event)
                }
            }
        }
    }

    /// Events named in `names` (all when nil) for session `session` (all when nil), until the
    /// consumer stops iterating.
    func events(names: Set<String>? = nil, session: String? = nil, buffer: Int = 1000) -> AsyncStream<Envelope> {
        let (stream, continuation) = AsyncStream.makeStream(of: Envelope.self, bufferingPolicy: .bufferingNewest(buffer))
        let id = UUID()
        let listener = Listener(names: names, nameBytes: names.map { $0.map { Data($0.utf8) } }, session: session,
                                continuation: continuation)
        let added = lock.withLock { () -> Bool in
            guard !closed else { return false }
            listeners[id] = listener
            return true
        }
        if !added { continuation.finish() }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.listeners.removeValue(forKey: id) }
        }
        return stream
    }

    var listenerCount: Int { lock.withLock { listeners.count } }

    /// Adds topics starting with `prefix` to what arrives. ZeroMQ counts subscriptions, so
    /// each `watch` is undone by one `unwatch`.
    func watch(topic prefix: String) {
        loop.post { [self] in _ = try? subscriber?.set(.subscribe(Data(prefix.utf8))) }
    }

    func unwatch(topic prefix: String) {
        loop.post { [self] in _ = try? subscriber?.set(.unsubscribe(Data(prefix.utf8))) }
    }

    /// Most events are commands nobody here listens to while no `/api/events` stream is open:
    /// skip decoding those. An event named in a listener's set carries that name as its op, so
    /// a payload without any wanted name's bytes cannot be wanted (a false positive only costs a decode).
    private func wanted(_ payload: Data) -> Bool {
        let wanted = lock.withLock { listeners.values.map(\.nameBytes) }
        return wanted.contains { names in names?.contains { payload.range(of: $0) != nil } ?? true }
    }

    private func deliver(_ event: Envelope) {
        let targets = lock.withLock { listeners.values.filter { $0.accepts(event) } }
        for listener in targets { listener.continuation.yield(event) }
    }

    /// Ends every listener's stream, refuses new ones, and stops the socket thread.
    func shutdown() async {
        let all = lock.withLock { () -> [Listener] in
            closed = true
            defer { listeners.removeAll() }
            return Array(listeners.values)
        }
        for listener in all { listener.continuation.finish() }
        loop.stop()
        try? await loop.finished()
    }
}
