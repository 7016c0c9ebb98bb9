import Foundation
import ZeroMQ

/// How a service's sockets are secured, by endpoint scheme:
///
/// - `ipc://`: the socket file sits in a folder only this user can enter (`PrivateDirectory`);
///   whichever side comes first creates it 0700, both refuse one that others could have planted.
/// - `tcp://`: CURVE. A server socket proves the installation's server key and asks the
///   context's `ZAPHandler` about each client key; a client presents its own pair and checks
///   the server's key. Without keys, or with a libzmq lacking CURVE, bind and connect fail
///   with a message saying what to run.
/// - `inproc://`: inside the process, nothing to secure.
///
/// Every bind and connect of a service goes through `SocketLoop.bind(_:to:)` /
/// `connect(_:to:)`, which apply this; a raw `Socket.bind` skips it and is for tests only.
public struct BusSecurity: Sendable {
    public let keys: BusKeys

    public init(keys: BusKeys) {
        self.keys = keys
    }

    /// From `BMCP_KEYS` (default `<BMCP_DATA>/keys`).
    public static func fromEnvironment() -> BusSecurity {
        BusSecurity(keys: BusKeys(directory: Settings.keysDirectory()))
    }

    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    enum Scheme { case tcp, ipc(path: String), inproc, other }

    static func scheme(of endpoint: String) -> Scheme {
        if endpoint.hasPrefix("tcp://") { return .tcp }
        if endpoint.hasPrefix("ipc://") { return .ipc(path: String(endpoint.dropFirst("ipc://".count))) }
        if endpoint.hasPrefix("inproc://") { return .inproc }
        return .other
    }

    func prepareServer(_ socket: Socket, endpoint: String, loop: SocketLoop) throws {
        try prepare(endpoint, verb: "bind") {
            let pair = try keys.serverPair()
            try loop.ensureZAP(keys: keys)
            try socket.set(.zapDomain(ZAPHandler.domain))
            try socket.set(.curveServer(secretKey: pair.secretKey))
            _ = try HandshakeMonitor(loop: loop, server: socket, endpoint: endpoint)
        }
    }

    func prepareClient(_ socket: Socket, endpoint: String) throws {
        try prepare(endpoint, verb: "connect to") {
            let credentials = try keys.clientCredentials()
            try socket.set(.curveClient(serverKey: credentials.server, keyPair: credentials.client))
        }
    }

    /// What both sides do by scheme; `curve` sets up a tcp:// socket's side of CURVE.
    private func prepare(_ endpoint: String, verb: String, curve: () throws -> Void) throws {
        switch Self.scheme(of: endpoint) {
        case .tcp:
            do {
                try Curve.requireAvailable()
                try curve()
            } catch {
                throw Refusal(description: "cannot \(verb) \(endpoint) securely: \(error)")
            }
        case .ipc(let path):
            try prepareFolder(of: path, endpoint: endpoint)
        case .inproc:
            break
        case .other:
            throw Refusal(description: "\(endpoint): only tcp:// (with CURVE), ipc:// and inproc:// endpoints are supported")
        }
    }

    /// Both sides make the folder if it is missing and check it: a client that starts before
    /// its server must not find, later, a folder and socket another user planted (ZeroMQ
    /// reconnects without asking again), so it claims the folder first.
    private func prepareFolder(of path: String, endpoint: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return }
        do {
            try PrivateDirectory.prepare(folder, tighten: false)
        } catch {
            throw Refusal(description: "\(endpoint): \(error)")
        }
    }
}

extension SocketLoop {
    /// Binds `socket` to `endpoint` with the security its scheme calls for (`BusSecurity`).
    public func bind(_ socket: Socket, to endpoint: String) throws {
        try security.prepareServer(socket, endpoint: endpoint, loop: self)
        try socket.bind(endpoint)
    }

    /// Connects `socket` to `endpoint` with the security its scheme calls for.
    public func connect(_ socket: Socket, to endpoint: String) throws {
        try security.prepareClient(socket, endpoint: endpoint)
        try socket.connect(endpoint)
    }

    /// Starts this context's ZAP handler on this loop, once per context (claimed only once it
    /// is bound, so a failed start is tried again by the next bind).
    func ensureZAP(keys: BusKeys) throws {
        guard !ZAPRegistry.has(context) else { return }
        _ = try ZAPHandler(loop: self, keys: keys)
        ZAPRegistry.claim(context)
    }
}

/// Which contexts already have a ZAP handler (libzmq allows one bind of the ZAP endpoint).
/// Held weakly, so a freed context's address reused by a new one is not mistaken for it.
private enum ZAPRegistry {
    private final class Entry { weak var context: Context?; init(_ c: Context) { context = c } }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [ObjectIdentifier: Entry] = [:]

    static func has(_ context: Context) -> Bool {
        lock.withLock { entries[ObjectIdentifier(context)]?.context === context }
    }

    static func claim(_ context: Context) {
        lock.withLock {
            entries = entries.filter { $0.value.context != nil }
            entries[ObjectIdentifier(context)] = Entry(context)
        }
    }
}
