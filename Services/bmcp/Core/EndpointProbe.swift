import BusMessages
import Foundation
import ServiceKit
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// Whether something already holds a ZeroMQ endpoint, found without disturbing it.
enum EndpointProbe {
    enum State: Equatable {
        case free
        case inUse
        case invalid(String)
    }

    static func state(of endpoint: String) -> State {
        if endpoint.hasPrefix("ipc://") { return ipcState(path: String(endpoint.dropFirst("ipc://".count))) }
        guard endpoint.hasPrefix("tcp://") else { return .invalid("only tcp:// and ipc:// endpoints can be checked, got '\(endpoint)'") }
        // A TCP bind fails with EADDRINUSE when the port is taken, and leaves a holder alone.
        guard let context = try? Context(), let socket = try? context.socket(.router) else {
            return .invalid("cannot create a ZeroMQ socket")
        }
        defer { socket.close() }
        do {
            try socket.bind(endpoint)
            return .free
        } catch let error as ZeroMQError where error.code == EADDRINUSE {
            return .inUse
        } catch {
            return .invalid("cannot bind \(endpoint): \(error)")
        }
    }

    /// libzmq's ipc bind unlinks an existing socket file and takes its place, which would cut
    /// a running service off; so an ipc endpoint is probed by connecting to it instead.
    private static func ipcState(path: String) -> State {
        guard FileManager.default.fileExists(atPath: path) else { return .free }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return .invalid("ipc path longer than \(capacity - 1) bytes: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .invalid("cannot create a Unix socket") }
        defer { close(fd) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        // A stale file from a process that died is not "in use": the next bind replaces it.
        return connected == 0 ? .inUse : .free
    }

    /// One request to a running service; nil when it does not answer within 3 s.
    static func ask(_ endpoint: String, peer: String, op: String) async -> Envelope? {
        guard let client = try? RequestClient(endpoint: endpoint, peer: peer) else { return nil }
        let answer = try? await client.send(.request(op: op, source: "bmcp"), timeout: .seconds(3))
        await client.shutdown()
        return answer
    }
}
