import BusMessages
import Foundation
import ZeroMQ

/// A DEALER to a service's ROUTER (the session-broker's clients socket, log-writer's or
/// prompt-service's queries), living on a `SocketLoop`: requests go out with a completion,
/// answers are matched back by id, and each request gets an answer — the service's, or an
/// unreachable / `timeout` error made here.
///
/// Loop-confined; async code uses `RequestClient`, which owns a loop with one of these.
public final class RequestLink {
    public typealias Completion = (Result<Envelope, BusError>) -> Void

    public let endpoint: String
    /// The service at the other end, for error messages ("session-broker").
    public let peer: String
    private let loop: SocketLoop
    private let socket: Socket
    private let codec = EnvelopeCodec()
    private var waiting: [String: (completion: Completion, timer: Int)] = [:]
    /// Requests waiting for the connection to come up (just after start, or while the broker
    /// restarts); each fails as unreachable once `connectGrace` has passed.
    private var unsent: [(request: Envelope, data: Data, timeout: Duration, completion: Completion, giveUp: UInt64)] = []
    private var retryTimer: Int?
    private let connectGrace: Duration = .milliseconds(1500)

    public init(loop: SocketLoop, endpoint: String, peer: String = "session-broker") throws {
        self.loop = loop
        self.endpoint = endpoint
        self.peer = peer
        socket = try loop.makeSocket(.dealer)
        // With no broker connected, a send fails at once instead of queueing until timeout.
        try socket.set(.immediate(true))
        try socket.set(.reconnectInterval(milliseconds: 100))
        try socket.set(.reconnectIntervalMax(milliseconds: 1000))
        try socket.set(.maxMessageSize(Int64(EnvelopeCodec.defaultLimit)))
        try loop.connect(socket, to: endpoint)
        loop.watch(socket) { [unowned self] in try self.drain() }
        loop.onTeardown { [unowned self] in
            self.failAll(BusError(code: ErrorCode.shuttingDown, message: "shutting down"))
        }
    }

    public func send(_ request: Envelope, timeout: Duration, completion: @escaping Completion) {
        let data: Data
        do {
            data = try codec.encode(request)
        } catch {
            completion(.failure(BusError(code: ErrorCode.badMessage, message: "could not encode \(request.op ?? "request"): \(error)")))
            return
        }
        unsent.append((request, data, timeout, completion, MonotonicClock.nanoseconds() + connectGrace.nanoseconds))
        flushUnsent()
    }

    /// Sends what the socket will take; with ZMQ_IMMEDIATE a send only succeeds once the
    /// broker connection is up, so what is left waits for the next try.
    private func flushUnsent() {
        let now = MonotonicClock.nanoseconds()
        while let next = unsent.first {
            let sent: Bool
            do {
                sent = try socket.send(next.data, dontWait: true)
            } catch {
                unsent.removeFirst()
                next.completion(.failure(BusError(code: ErrorCode.badMessage, message: "could not send \(next.request.op ?? "request"): \(error)")))
                continue
            }
            if sent {
                unsent.removeFirst()
                awaitAnswer(to: next.request, timeout: next.timeout, completion: next.completion)
                continue
            }
            // Not connected: fail what waited too long, keep the rest for the next try.
            let expired = unsent.filter { $0.giveUp <= now }
            unsent.removeAll { $0.giveUp <= now }
            for entry in expired {
                entry.completion(.failure(BusError(
                    code: peer == "session-broker" ? ErrorCode.brokerUnreachable : ErrorCode.serviceUnreachable,
                    message: "\(peer) is not reachable at \(endpoint); start the system with `bmcp up` (or start \(peer)).",
                    retryable: true)))
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

    private func awaitAnswer(to request: Envelope, timeout: Duration, completion: @escaping Completion) {
        let id = request.id
        let timer = loop.after(timeout) { [unowned self] in
            guard let entry = self.waiting.removeValue(forKey: id) else { return }
            entry.completion(.failure(BusError(
                code: ErrorCode.timeout,
                message: "no answer to \(request.op ?? "the request") within \(Int(timeout.milliseconds / 1000)) s; Blender may still be working on it",
                retryable: true)))
        }
        waiting[id] = (completion, timer)
    }

    private func drain() throws {
        while let frames = try socket.receive(dontWait: true) {
            guard let payload = frames.last else { continue }
            guard let answer = try? codec.decode(payload), let entry = waiting.removeValue(forKey: answer.id) else {
                continue  // a late answer to a request that already timed out
            }
            loop.cancelTimer(entry.timer)
            entry.completion(.success(answer))
        }
    }

    private func failAll(_ error: BusError) {
        for (_, entry) in waiting { entry.completion(.failure(error)) }
        waiting.removeAll()
        for entry in unsent { entry.completion(.failure(error)) }
        unsent.removeAll()
    }
}
