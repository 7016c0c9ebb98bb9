import BusMessages
import Foundation
import ServiceKit
import ZeroMQ

/// mcp-front's line to the session-broker: a DEALER to the broker's clients ROUTER, owned by
/// its own `SocketLoop` thread. Async callers hand requests over with `post` and are resumed
/// from that thread when the matching reply (by id) arrives, so many tool calls can be in
/// flight at once over the one socket.
public final class BrokerClient: @unchecked Sendable {
    private typealias Waiter = CheckedContinuation<Envelope, Error>

    public let endpoint: String
    private let loop: SocketLoop
    private let codec = EnvelopeCodec()
    // Loop-confined state.
    private var socket: Socket?
    private var waiting: [String: (waiter: Waiter, timer: Int)] = [:]

    public init(endpoint: String) throws {
        self.endpoint = endpoint
        loop = try SocketLoop(name: "mcp-front.broker")
        loop.start { [self] loop in
            let socket = try loop.makeSocket(.dealer)
            // With no broker connected, a send fails at once instead of queueing until timeout.
            try socket.set(.immediate(true))
            try socket.set(.reconnectInterval(milliseconds: 100))
            try socket.set(.reconnectIntervalMax(milliseconds: 1000))
            try socket.set(.maxMessageSize(Int64(EnvelopeCodec.defaultLimit)))
            try socket.connect(endpoint)
            self.socket = socket
            loop.watch(socket) { [unowned self] in try self.drain() }
            loop.onTeardown { [unowned self] in
                self.failAll(BusError(code: ErrorCode.shuttingDown, message: "mcp-front is shutting down"))
            }
        }
    }

    /// Sends `request` and returns the broker's answer: a `.reply` or an `.error` envelope.
    /// Throws a `BusError` when no answer can come (broker unreachable, timeout).
    public func send(_ request: Envelope, timeout: Duration) async throws -> Envelope {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            loop.post { [self] in self.dispatch(request, timeout: timeout, waiter: waiter) }
        }
    }

    /// Ends the socket thread; callers still waiting get a `shutting_down` error.
    public func shutdown() async {
        loop.stop()
        try? await loop.finished()
    }

    // MARK: Loop thread

    private func dispatch(_ request: Envelope, timeout: Duration, waiter: Waiter) {
        guard let socket else {
            waiter.resume(throwing: BusError(code: ErrorCode.brokerUnreachable, message: "the broker connection is closed"))
            return
        }
        let sent: Bool
        do {
            sent = try socket.send(try codec.encode(request), dontWait: true)
        } catch {
            waiter.resume(throwing: BusError(code: ErrorCode.badMessage, message: "could not send \(request.op ?? "request"): \(error)"))
            return
        }
        guard sent else {
            waiter.resume(throwing: BusError(
                code: ErrorCode.brokerUnreachable,
                message: "session-broker is not reachable at \(endpoint); start the system with `bmcp up` (or start session-broker).",
                retryable: true))
            return
        }
        let id = request.id
        let timer = loop.after(timeout) { [unowned self] in
            guard let entry = self.waiting.removeValue(forKey: id) else { return }
            entry.waiter.resume(throwing: BusError(
                code: ErrorCode.timeout,
                message: "no answer to \(request.op ?? "the request") within \(Int(timeout.milliseconds / 1000)) s; Blender may still be working on it",
                retryable: true))
        }
        waiting[id] = (waiter, timer)
    }

    private func drain() throws {
        guard let socket else { return }
        while let frames = try socket.receive(dontWait: true) {
            guard let payload = frames.last else { continue }
            guard let answer = try? codec.decode(payload), let entry = waiting.removeValue(forKey: answer.id) else {
                continue  // a late answer to a request that already timed out
            }
            loop.cancelTimer(entry.timer)
            entry.waiter.resume(returning: answer)
        }
    }

    private func failAll(_ error: BusError) {
        for (_, entry) in waiting { entry.waiter.resume(throwing: error) }
        waiting.removeAll()
    }
}
