import Foundation
import Logging
import ZeroMQ

/// The ZeroMQ Authentication Protocol handler (RFC 27) of one context: libzmq asks it about
/// every CURVE handshake on that context's server sockets, and it accepts a client only when
/// its public key is in `authorized_clients`. Served on the loop that binds the servers, so
/// one thread owns the ZAP socket too.
///
/// The allow-list is read again when its file changes, so `bmcp keys --authorize` takes
/// effect without a restart. A refused peer is logged once per address and key.
final class ZAPHandler {
    /// libzmq's fixed in-process endpoint for ZAP, one per context.
    static let endpoint = "inproc://zeromq.zap.01"
    /// The ZAP domain our server sockets set, which makes libzmq require an answer.
    static let domain = "bmcp"

    private let socket: Socket
    private let keys: BusKeys
    private let logger: Logger
    private var authorized: [CurveKey: String] = [:]
    private var authorizedStamp: Date?
    private var refusedLogged: Set<String> = []

    init(loop: SocketLoop, keys: BusKeys) throws {
        // REP: libzmq is the requester; one request, one reply.
        socket = try loop.makeSocket(.rep)
        self.keys = keys
        logger = loop.logger
        try socket.bind(Self.endpoint)
        loop.watch(socket) { [unowned self] in try self.drain() }
        loop.keep(self)
    }

    private func drain() throws {
        while let frames = try socket.receive(dontWait: true) {
            try socket.send(answer(frames))
        }
    }

    /// Request frames: version, request id, domain, address, routing id, mechanism, credentials.
    func answer(_ frames: [Data]) -> [Data] {
        guard frames.count >= 6 else {
            return reply(requestID: Data(), status: "500", text: "malformed ZAP request")
        }
        let requestID = frames[1]
        let address = String(decoding: frames[3], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        guard mechanism == "CURVE", frames.count >= 7, let key = CurveKey(bytes: frames[6]) else {
            refuse(address: address, detail: "mechanism \(mechanism), not CURVE")
            return reply(requestID: requestID, status: "400", text: "CURVE required")
        }
        reloadIfChanged()
        guard let name = authorized[key] else {
            refuse(address: address, detail: "unknown client key \(key.z85)")
            return reply(requestID: requestID, status: "400", text: "client key not authorized")
        }
        return reply(requestID: requestID, status: "200", text: "OK", user: name)
    }

    private func refuse(address: String, detail: String) {
        guard refusedLogged.insert("\(address) \(detail)").inserted else { return }
        if refusedLogged.count > 10_000 { refusedLogged.removeAll() }  // bounded: a scan must not grow memory
        logger.warning("refused a bus connection from \(address): \(detail) (allow-list: \(keys.authorizedPath))")
    }

    private func reloadIfChanged() {
        let stamp = (try? FileManager.default.attributesOfItem(atPath: keys.authorizedPath))?[.modificationDate] as? Date
        guard stamp != authorizedStamp || authorized.isEmpty else { return }
        authorizedStamp = stamp
        authorized = keys.authorizedClients()
    }

    private func reply(requestID: Data, status: String, text: String, user: String = "") -> [Data] {
        [Data("1.0".utf8), requestID, Data(status.utf8), Data(text.utf8), Data(user.utf8), Data()]
    }
}
