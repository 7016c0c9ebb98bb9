import BusMessages
import Foundation
import Logging
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// Logs, once per address, peers of a CURVE server socket that never complete the handshake:
/// a client with no keys, or one that does not know this installation's server key. ZAP
/// (`ZAPHandler`) sees only peers that got as far as presenting a key; these stop earlier.
///
/// libzmq's handshake events carry no peer, so the address comes from the ACCEPTED event's
/// descriptor (getpeername), matched to handshake outcomes in order: exact for one peer at a
/// time, approximate when several handshakes overlap.
final class HandshakeMonitor {
    private let pair: Socket
    private let endpoint: String
    private let logger: Logger
    /// Accepted connections whose handshake has not ended, oldest first.
    private var pending: [(fd: Int32, address: String)] = []
    private var logged: Set<String> = []

    init(loop: SocketLoop, server: Socket, endpoint: String) throws {
        self.endpoint = endpoint
        logger = loop.logger
        let address = "inproc://bmcp-handshakes-\(RandomID.hex(12))"
        try server.startMonitor(endpoint: address, events: MonitorEvent.accepted | MonitorEvent.disconnected
            | MonitorEvent.handshakeSucceeded | MonitorEvent.handshakeFailedNoDetail
            | MonitorEvent.handshakeFailedProtocol | MonitorEvent.handshakeFailedAuth)
        // PAIR: the one peer libzmq's monitor talks to.
        pair = try loop.makeSocket(.pair)
        try pair.connect(address)
        loop.watch(pair) { [unowned self] in try self.drain() }
        loop.keep(self)
    }

    private func drain() throws {
        while let frames = try pair.receive(dontWait: true) {
            guard let head = frames.first, head.count >= 6 else { continue }
            let event = Int32(head[head.startIndex]) | Int32(head[head.startIndex + 1]) << 8
            let value = head.subdata(in: head.startIndex + 2..<head.startIndex + 6).withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
            handle(event: event, value: value)
        }
    }

    private func handle(event: Int32, value: Int32) {
        switch event {
        case MonitorEvent.accepted:
            pending.append((value, Self.peerAddress(value)))
            if pending.count > 1000 { pending.removeFirst() }
        case MonitorEvent.disconnected:
            pending.removeAll { $0.fd == value }
        case MonitorEvent.handshakeSucceeded, MonitorEvent.handshakeFailedAuth:
            // Succeeded, or refused by ZAP, which logs with the key.
            if !pending.isEmpty { pending.removeFirst() }
        case MonitorEvent.handshakeFailedProtocol, MonitorEvent.handshakeFailedNoDetail:
            let address = pending.isEmpty ? "an unknown address" : pending.removeFirst().address
            guard logged.insert(address).inserted else { return }
            if logged.count > 10_000 { logged.removeAll() }
            logger.warning("refused a bus connection from \(address) on \(endpoint): it did not complete a CURVE handshake (no keys, or not this installation's server key)")
        default:
            break
        }
    }

    private static func peerAddress(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard got == 0 else { return "an unknown address" }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let named = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            }
        }
        return named == 0 ? String(cString: host) : "an unknown address"
    }
}
