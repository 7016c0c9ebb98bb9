import Foundation

/// Runs blocking work (a blocking ZeroMQ call, a blocking read) on a thread of its own and
/// awaits its result, keeping it off Swift's small cooperative thread pool.
public enum DedicatedThread {
    public static func run<T: Sendable>(name: String = "bmcp.blocking", _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let box = OutcomeBox<T>()
        let thread = Thread { box.set(Result { try body() }) }
        thread.name = name
        thread.start()
        return try await box.value()
    }
}

private final class OutcomeBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, Error>?
    private var waiter: CheckedContinuation<T, Error>?

    func set(_ value: Result<T, Error>) {
        let waiting = lock.withLock { () -> CheckedContinuation<T, Error>? in
            result = value
            defer { waiter = nil }
            return waiter
        }
        waiting?.resume(with: value)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready = lock.withLock { () -> Result<T, Error>? in
                if result == nil { waiter = continuation }
                return result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

extension Result where Failure == Error {
    /// Captures the outcome of async work, so cleanup can run before it is rethrown.
    public init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
