import CZeroMQ

/// A libzmq context. Thread-safe by libzmq's contract, so it may be shared; the sockets it
/// makes may not.
public final class Context: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init() throws {
        guard let handle = zmq_ctx_new() else { throw ZeroMQError.last("zmq_ctx_new") }
        self.handle = handle
    }

    /// Makes every blocking call on this context's sockets return `ETERM`, from any thread.
    /// This is how a service asks its socket threads to finish.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    public func socket(_ type: SocketType) throws -> Socket {
        try Socket(context: self, type: type)
    }

    deinit {
        // Every socket sets a finite linger, so termination never hangs on unsent messages.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}

/// The libzmq version this binary runs against, e.g. "4.3.4".
public var zeroMQVersion: String {
    var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
    zmq_version(&major, &minor, &patch)
    return "\(major).\(minor).\(patch)"
}
