import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call: which operation, on what, and libzmq's own words for `errno`.
public struct ZeroMQError: Error, CustomStringConvertible, Sendable, Equatable {
    public let code: Int32
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// Captures `zmq_errno()` right after a failed call.
    static func last(_ operation: String) -> ZeroMQError {
        ZeroMQError(code: zmq_errno(), operation: operation)
    }

    public var message: String { String(cString: zmq_strerror(code)) }
    public var description: String { "\(operation): \(message) (errno \(code))" }

    /// The context was shut down: the owning loop should close its sockets and return.
    public var isTerminated: Bool { code == ETERM }
    /// A non-blocking call found nothing to do, or a timeout expired.
    public var wouldBlock: Bool { code == EAGAIN }
    /// A signal interrupted a blocking call; retrying is correct.
    public var isInterrupted: Bool { code == EINTR }
    /// A ROUTER with `routerMandatory` was asked to send to a peer that is gone.
    public var isHostUnreachable: Bool { code == EHOSTUNREACH }
}
