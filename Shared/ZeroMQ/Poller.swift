import CZeroMQ

public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// zmq_poll over ZeroMQ sockets and plain file descriptors (a TCP connection, a wake pipe)
/// together, so one thread can serve all of a service's I/O without busy-waiting.
public struct Poller {
    public enum Item {
        case socket(Socket, PollEvents)
        case fileDescriptor(Int32, PollEvents)
    }

    public init() {}

    /// Waits until an item is ready or `timeoutMilliseconds` pass (-1 waits forever).
    /// Returns the ready events per item, in the order given.
    public func poll(_ items: [Item], timeoutMilliseconds: Int) throws -> [PollEvents] {
        var raw: [zmq_pollitem_t] = items.map { item in
            switch item {
            case .socket(let socket, let events):
                zmq_pollitem_t(socket: socket.rawHandle, fd: 0, events: events.rawValue, revents: 0)
            case .fileDescriptor(let fd, let events):
                zmq_pollitem_t(socket: nil, fd: fd, events: events.rawValue, revents: 0)
            }
        }
        while true {
            let rc = zmq_poll(&raw, Int32(raw.count), timeoutMilliseconds)
            if rc >= 0 { break }
            let error = ZeroMQError.last("zmq_poll")
            if error.isInterrupted { continue }
            throw error
        }
        return raw.map { PollEvents(rawValue: $0.revents) }
    }
}
