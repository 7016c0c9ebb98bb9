import Foundation
import Logging
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dedicated thread that owns a service's ZeroMQ sockets and file descriptors and serves
/// them with one `zmq_poll`, so no blocking ZeroMQ call ever runs on Swift's cooperative pool
/// and no socket is ever touched by two threads.
///
/// Everything registered with the loop runs on the loop thread. Other threads talk to it only
/// through `post(_:)`, which wakes the poll through a pipe.
public final class SocketLoop: @unchecked Sendable {
    public let name: String
    public let context: Context
    public let logger: Logger
    /// How `bind(_:to:)` and `connect(_:to:)` secure each endpoint.
    public let security: BusSecurity

    // Shared with other threads, guarded by `lock`.
    private let lock = NSLock()
    private var mailbox: [@Sendable () -> Void] = []
    private var stopRequested = false
    /// Set when teardown begins; `post` refuses work from then on.
    private var closing = false
    private var outcome: Result<Void, Error>?
    private var waiters: [CheckedContinuation<Void, Error>] = []
    private let wakePipe: (read: Int32, write: Int32)

    // Loop-thread only.
    private var thread: Thread?
    private var sockets: [(socket: Socket, onReadable: () throws -> Void)] = []
    private var descriptors: [Int32: (events: PollEvents, handler: (PollEvents) -> Void)] = [:]
    private var timers: [LoopTimer] = []
    private var nextTimerID = 0
    private var teardown: [() -> Void] = []
    private var ownedSockets: [Socket] = []
    private var residents: [AnyObject] = []

    public init(name: String, context: Context? = nil, logger: Logger? = nil, security: BusSecurity = .fromEnvironment()) throws {
        self.name = name
        self.security = security
        self.context = try context ?? Context()
        self.logger = logger ?? Logger(label: name)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw ZeroMQError(code: errno, operation: "pipe for \(name) wake-ups")
        }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakePipe = (fds[0], fds[1])
    }

    deinit {
        close(wakePipe.read)
        close(wakePipe.write)
    }

    // MARK: Starting and stopping (any thread)

    /// Starts the loop thread; `setup` runs first on that thread to create sockets and
    /// register handlers. An error from `setup` ends the loop and is reported by `finished()`.
    public func start(_ setup: @escaping @Sendable (SocketLoop) throws -> Void) {
        let thread = Thread { [self] in
            let result = Result { try setup(self) }.flatMap { Result { try self.serve() } }
            self.runTeardown()
            self.finish(result)
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to finish its current handler, run its teardown and exit.
    public func stop() {
        lock.withLock { stopRequested = true }
        wake()
    }

    /// Runs `work` on the loop thread as soon as it is free. Returns false, and drops the work,
    /// when the loop has already finished (its sockets are closed).
    @discardableResult
    public func post(_ work: @escaping @Sendable () -> Void) -> Bool {
        let accepted = lock.withLock { () -> Bool in
            guard !closing else { return false }
            mailbox.append(work)
            return true
        }
        if accepted { wake() }
        return accepted
    }

    /// Waits until the loop thread has exited; rethrows what ended it, if anything did.
    public func finished() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let done: Result<Void, Error>? = lock.withLock {
                if outcome == nil { waiters.append(continuation) }
                return outcome
            }
            if let done { continuation.resume(with: done) }
        }
    }

    // MARK: Registration (loop thread)

    /// Keeps a loop-confined component alive until the loop stops; its handlers capture it
    /// unowned, so this is what owns it.
    public func keep(_ component: AnyObject) {
        residents.append(component)
    }

    /// Makes a socket that this loop closes when it stops.
    public func makeSocket(_ type: SocketType) throws -> Socket {
        let socket = try context.socket(type)
        ownedSockets.append(socket)
        return socket
    }

    /// Calls `onReadable` whenever `socket` has a message; the handler should drain it.
    public func watch(_ socket: Socket, onReadable: @escaping () throws -> Void) {
        sockets.append((socket, onReadable))
    }

    public func unwatch(_ socket: Socket) {
        sockets.removeAll { $0.socket === socket }
    }

    /// Watches a plain file descriptor (a TCP connection); call again to change the events.
    public func watch(fileDescriptor fd: Int32, events: PollEvents, handler: @escaping (PollEvents) -> Void) {
        descriptors[fd] = (events, handler)
    }

    public func unwatch(fileDescriptor fd: Int32) {
        descriptors[fd] = nil
    }

    /// Runs `body` every `interval` until the loop stops or the timer is cancelled.
    @discardableResult
    public func every(_ interval: Duration, _ body: @escaping () -> Void) -> Int {
        schedule(after: interval, repeating: interval, body)
    }

    @discardableResult
    public func after(_ delay: Duration, _ body: @escaping () -> Void) -> Int {
        schedule(after: delay, repeating: nil, body)
    }

    public func cancelTimer(_ id: Int) {
        timers.removeAll { $0.id == id }
    }

    /// Runs on the loop thread after the loop stops, before sockets close (last in, first out).
    public func onTeardown(_ body: @escaping () -> Void) {
        teardown.append(body)
    }

    // MARK: The loop

    private func serve() throws {
        while !lock.withLock({ stopRequested }) {
            var items: [Poller.Item] = [.fileDescriptor(wakePipe.read, .readable)]
            let watchedSockets = sockets
            let watchedDescriptors = Array(descriptors)
            items += watchedSockets.map { .socket($0.socket, .readable) }
            items += watchedDescriptors.map { .fileDescriptor($0.key, $0.value.events) }

            let ready: [PollEvents]
            do {
                ready = try Poller().poll(items, timeoutMilliseconds: pollTimeout())
            } catch let error as ZeroMQError where error.isTerminated {
                return
            }

            if ready[0].contains(.readable) { drainWakePipe() }
            runMailbox()
            for (index, entry) in watchedSockets.enumerated() where ready[1 + index].contains(.readable) {
                do {
                    try entry.onReadable()
                } catch let error as ZeroMQError where error.isTerminated {
                    return
                } catch {
                    logger.error("\(name): \(entry.socket.type) handler failed: \(error)")
                }
            }
            let offset = 1 + watchedSockets.count
            for (index, entry) in watchedDescriptors.enumerated() {
                let events = ready[offset + index]
                // The handler of an earlier descriptor may have closed this one.
                if !events.isEmpty, descriptors[entry.key] != nil { entry.value.handler(events) }
            }
            fireDueTimers()
        }
    }

    private func pollTimeout() -> Int {
        guard let due = timers.map(\.due).min() else { return -1 }
        let now = MonotonicClock.nanoseconds()
        return due <= now ? 0 : Int((due - now + 999_999) / 1_000_000)
    }

    private func schedule(after delay: Duration, repeating: Duration?, _ body: @escaping () -> Void) -> Int {
        nextTimerID += 1
        timers.append(LoopTimer(
            id: nextTimerID, due: MonotonicClock.nanoseconds() + delay.nanoseconds,
            interval: repeating?.nanoseconds, body: body))
        return nextTimerID
    }

    private func fireDueTimers() {
        let now = MonotonicClock.nanoseconds()
        let due = timers.filter { $0.due <= now }
        guard !due.isEmpty else { return }
        timers.removeAll { $0.due <= now && $0.interval == nil }
        for index in timers.indices where timers[index].due <= now {
            timers[index].due = now + (timers[index].interval ?? 0)
        }
        for timer in due { timer.body() }
    }

    private func runMailbox() {
        let work = lock.withLock { () -> [@Sendable () -> Void] in
            defer { mailbox.removeAll(keepingCapacity: true) }
            return mailbox
        }
        for item in work { item() }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)  // EAGAIN means a wake-up is already pending
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakePipe.read, &buffer, buffer.count) > 0 {}
    }

    private func runTeardown() {
        lock.withLock { closing = true }
        runMailbox()  // work accepted before closing still runs, and teardown answers its callers
        for body in teardown.reversed() { body() }
        teardown.removeAll()
        for socket in ownedSockets { socket.close() }
        ownedSockets.removeAll()
        sockets.removeAll()
        descriptors.removeAll()
        timers.removeAll()
        residents.removeAll()
    }

    private func finish(_ result: Result<Void, Error>) {
        let waiting = lock.withLock { () -> [CheckedContinuation<Void, Error>] in
            outcome = result
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiting { waiter.resume(with: result) }
    }
}

private struct LoopTimer {
    let id: Int
    var due: UInt64
    let interval: UInt64?
    let body: () -> Void
}

public enum MonotonicClock {
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

extension Duration {
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    public var milliseconds: Double { Double(nanoseconds) / 1e6 }
}
