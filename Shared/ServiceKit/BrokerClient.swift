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
    /// Requests waiting for the connection to come up (just after start, or while the broker
    /// restarts); each fails as unreachable once `connectGrace` has passed.
    private var unsent: [(request: Envelope, data: Data, timeout: Duration, waiter: Waiter, giveUp: UInt64)] = []
    private var retryTimer: Int?
    private let connectGrace: Duration = .milliseconds(1500)

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
        let data: Data
        do {
            data = try codec.encode(request)
        } catch {
            waiter.resume(throwing: BusError(code: ErrorCode.badMessage, message: "could not encode \(request.op ?? "request"): \(error)"))
            return
        }
        unsent.append((request, data, timeout, waiter, MonotonicClock.nanoseconds() + connectGrace.nanoseconds))
        flushUnsent()
    }

    /// Sends what the socket will take; with ZMQ_IMMEDIATE a send only succeeds once the
    /// broker connection is up, so what is left waits for the next try.
    private func flushUnsent() {
        let now = MonotonicClock.nanoseconds()
        while let next = unsent.first {
            let sent: Bool
            do {
                sent = try socket?.send(next.data, dontWait: true) ?? false
            } catch {
                unsent.removeFirst()
                next.waiter.resume(throwing: BusError(code: ErrorCode.badMessage, message: "could not send \(next.request.op ?? "request"): \(error)"))
                continue
            }
            if sent {
                unsent.removeFirst()
                awaitAnswer(to: next.request, timeout: next.timeout, waiter: next.waiter)
                continue
            }
            // Not connected: fail what waited too long, keep the rest for the next try.
            let expired = unsent.filter { $0.giveUp <= now }
            unsent.removeAll { $0.giveUp <= now }
            for entry in expired {
                entry.waiter.resume(throwing: BusError(
                    code: ErrorCode.brokerUnreachable,
                    message: "session-broker is not reachable at \(endpoint); start the system with `bmcp up` (or start session-broker).",
                    retryable: true))
            }
            break
        }
        if unsent.isEmpty, let retryTimer {
            loop.cancelTimer(retryTimer)
            self.retryTimer = nil
        } else if !unsent.isEmpty, retryTimer == nil {
            retryTimer = loop.every(.milliseconds(10)) { [unowned self] in self.flushUnsent() }
        }
    }

    private func awaitAnswer(to request: Envelope, timeout: Duration, waiter: Waiter) {
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
        for entry in unsent { entry.waiter.resume(throwing: error) }
        unsent.removeAll()
    }
}
