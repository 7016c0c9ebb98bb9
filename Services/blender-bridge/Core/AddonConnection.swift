import BusMessages
import Foundation
import Logging
import ServiceKit
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One long-lived, non-blocking TCP connection to the addon inside a Blender, served by the
/// bridge's `SocketLoop` next to its ZeroMQ sockets (zmq_poll takes plain descriptors too).
///
/// Loop-confined.
final class AddonConnection {
    enum Event {
        case opened
        case frame(JSONValue)
        case closed(reason: String)
    }

    let address: String
    private let loop: SocketLoop
    private let onEvent: (Event) -> Void
    private var fd: Int32 = -1
    private var isOpen = false
    private var decoder: FrameDecoder
    private var outgoing = Data()

    /// Starts connecting; the outcome arrives as `.opened` or `.closed`.
    init(loop: SocketLoop, host: String, port: Int, maxFrame: Int, onEvent: @escaping (Event) -> Void) {
        self.loop = loop
        self.onEvent = onEvent
        address = "\(host):\(port)"
        decoder = FrameDecoder(maxFrame: maxFrame)
        do {
            fd = try Self.startConnect(host: host, port: port)
            loop.watch(fileDescriptor: fd, events: .writable) { [unowned self] events in self.connecting(events) }
        } catch {
            loop.after(.zero) { [unowned self] in self.onEvent(.closed(reason: "\(error)")) }
        }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    func send(_ object: JSONValue) {
        send(frame: AddonFraming.encode(object))
    }

    /// A frame already encoded (`AddonFraming.encode`), e.g. one whose size was checked.
    func send(frame: Data) {
        guard isOpen else { return }
        outgoing.append(frame)
        flush()
    }

    func close(reason: String) {
        guard fd >= 0 else { return }
        loop.unwatch(fileDescriptor: fd)
        Glibc.close(fd)
        fd = -1
        isOpen = false
        onEvent(.closed(reason: reason))
    }

    // MARK: I/O

    private func connecting(_ events: PollEvents) {
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        guard error == 0 else {
            close(reason: "cannot connect to the addon at \(address): \(String(cString: strerror(error)))")
            return
        }
        isOpen = true
        rewatch()
        onEvent(.opened)
    }

    private func rewatch() {
        guard fd >= 0 else { return }
        loop.watch(fileDescriptor: fd, events: outgoing.isEmpty ? .readable : [.readable, .writable]) {
            [unowned self] events in self.ready(events)
        }
    }

    private func ready(_ events: PollEvents) {
        if events.contains(.writable) { flush() }
        if events.contains(.readable) || events.contains(.error) { readAvailable() }
    }

    private func readAvailable() {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while fd >= 0 {
            let count = read(fd, &chunk, chunk.count)
            if count > 0 {
                decoder.append(Data(chunk[0..<count]))
                continue
            }
            if count == 0 { close(reason: "the addon at \(address) closed the connection"); return }
            if errno == EAGAIN || errno == EWOULDBLOCK { break }
            if errno == EINTR { continue }
            close(reason: "reading from the addon at \(address) failed: \(String(cString: strerror(errno)))")
            return
        }
        while fd >= 0 {
            do {
                guard let frame = try decoder.next() else { break }
                onEvent(.frame(frame))
            } catch .tooLarge(let bytes, let limit) {
                close(reason: FrameError.tooLarge(bytes: bytes, limit: limit).description)
            } catch {
                loop.logger.warning("skipped a frame from the addon at \(address): \(error)")
            }
        }
    }

    private func flush() {
        while fd >= 0, !outgoing.isEmpty {
            let written = outgoing.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                // Not removeFirst: on Data it only moves the slice's start, and every later
                // append grows the same storage, so a connection kept every byte it ever sent
                // (a soak showed the bridge growing by its traffic). A fresh buffer instead; a
                // partial write copies the rest, which only a full socket buffer causes.
                outgoing = written == outgoing.count
                    ? Data() : outgoing.subdata(in: (outgoing.startIndex + written)..<outgoing.endIndex)
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else {
                close(reason: "writing to the addon at \(address) failed: \(String(cString: strerror(errno)))")
                return
            }
        }
        rewatch()
    }

    private static func startConnect(host: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let info = result else {
            throw BusError(code: ErrorCode.blenderLost,
                message: "cannot resolve the addon host '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else {
            throw BusError(code: ErrorCode.blenderLost, message: "socket(): \(String(cString: strerror(errno)))")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        // Small request/reply frames: Nagle's delay would dominate every round trip.
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw BusError(code: ErrorCode.blenderLost, message: "cannot connect to the addon at \(host):\(port): \(reason)")
        }
        return fd
    }
}
