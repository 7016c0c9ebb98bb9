import CZeroMQ
import Foundation

/// One ZeroMQ socket. Deliberately not `Sendable`: libzmq sockets must stay on the thread
/// that uses them, so each one lives inside a single `SocketLoop` (or a test's own thread).
public final class Socket {
    public let type: SocketType
    private let context: Context  // kept alive until this socket is closed: zmq_ctx_term waits for it
    private var handle: UnsafeMutableRawPointer?

    init(context: Context, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZeroMQError.last("zmq_socket(\(type))")
        }
        self.context = context
        self.type = type
        self.handle = handle
        // A closed socket must never keep the process alive waiting to deliver.
        try set(.linger(milliseconds: 0))
    }

    deinit { close() }

    public func close() {
        if let handle { _ = zmq_close(handle) }
        handle = nil
    }

    var rawHandle: UnsafeMutableRawPointer {
        guard let handle else { preconditionFailure("\(type) socket used after close()") }
        return handle
    }

    // MARK: Endpoints

    public func bind(_ endpoint: String) throws {
        guard zmq_bind(rawHandle, endpoint) == 0 else {
            throw ZeroMQError.last("bind \(type) to \(endpoint)")
        }
    }

    public func connect(_ endpoint: String) throws {
        guard zmq_connect(rawHandle, endpoint) == 0 else {
            throw ZeroMQError.last("connect \(type) to \(endpoint)")
        }
    }

    /// The endpoint actually bound, e.g. the port chosen for `tcp://127.0.0.1:*`.
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(rawHandle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return "" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Sending

    /// Sends one multipart message. Returns false only when `dontWait` is set and the message
    /// could not be queued (no peer, or high-water mark reached).
    @discardableResult
    public func send(_ frames: [Data], dontWait: Bool = false) throws -> Bool {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            while true {
                let rc = frame.withUnsafeBytes { zmq_send(rawHandle, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                let error = ZeroMQError.last("send on \(type)")
                if error.isInterrupted { continue }
                // libzmq queues multipart messages atomically, so only the first frame can
                // fail with EAGAIN; a later failure is a real error.
                if error.wouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    @discardableResult
    public func send(_ frame: Data, dontWait: Bool = false) throws -> Bool {
        try send([frame], dontWait: dontWait)
    }

    // MARK: Receiving

    /// Receives one whole multipart message. With `dontWait`, returns nil when none is queued;
    /// otherwise blocks (subject to `receiveTimeout`, which also yields nil).
    public func receive(dontWait: Bool = false) throws -> [Data]? {
        var frames: [Data] = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        while true {
            let rc = zmq_msg_recv(&message, rawHandle, dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0)
            if rc < 0 {
                let error = ZeroMQError.last("receive on \(type)")
                if error.isInterrupted { continue }
                if error.wouldBlock && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            frames.append(size == 0 ? Data() : Data(bytes: zmq_msg_data(&message), count: size))
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    /// True when a message can be received right now without blocking.
    public var isReadable: Bool {
        (try? events().contains(.readable)) ?? false
    }

    func events() throws -> PollEvents {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(rawHandle, ZMQ_EVENTS, &value, &size) == 0 else {
            throw ZeroMQError.last("getsockopt ZMQ_EVENTS on \(type)")
        }
        return PollEvents(rawValue: Int16(truncatingIfNeeded: value))
    }
}

extension Socket {
    /// Starts libzmq's monitor of this socket: `events` (ZMQ_EVENT_* bits) are published on a
    /// PAIR bound at `endpoint` (inproc://), for one PAIR of the same context to connect to.
    public func startMonitor(endpoint: String, events: Int32) throws {
        guard zmq_socket_monitor(rawHandle, endpoint, events) == 0 else {
            throw ZeroMQError.last("zmq_socket_monitor on \(type)")
        }
    }
}

/// The monitor events this project listens for.
public enum MonitorEvent {
    public static let accepted = Int32(ZMQ_EVENT_ACCEPTED)
    public static let disconnected = Int32(ZMQ_EVENT_DISCONNECTED)
    public static let handshakeSucceeded = Int32(ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    public static let handshakeFailedNoDetail = Int32(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    public static let handshakeFailedProtocol = Int32(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    public static let handshakeFailedAuth = Int32(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
}
