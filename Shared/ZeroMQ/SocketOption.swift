import CZeroMQ
import Foundation

/// The socket options this project sets, each named for what it does.
public enum SocketOption: Sendable {
    /// How long unsent messages may delay close; 0 drops them at once.
    case linger(milliseconds: Int32)
    /// The routing id a DEALER/REQ presents to a ROUTER.
    case routingID(Data)
    /// ROUTER only: fail with EHOSTUNREACH instead of silently dropping a message to a gone peer.
    case routerMandatory(Bool)
    /// SUB only: receive messages whose first frame starts with this prefix ("" = all).
    case subscribe(Data)
    case unsubscribe(Data)
    /// Frames larger than this make libzmq drop the sending peer's connection.
    case maxMessageSize(Int64)
    /// Blocking receive gives up after this long (-1 = forever).
    case receiveTimeout(milliseconds: Int32)
    case sendTimeout(milliseconds: Int32)
    case sendHighWaterMark(Int32)
    case receiveHighWaterMark(Int32)
    /// Queue messages only to completed connections, so a send with no live peer fails fast.
    case immediate(Bool)
    /// XPUB only: pass every subscribe message upstream, not just new ones.
    case xpubVerbose(Bool)
    /// How soon a dropped connection is retried, and the ceiling of its backoff.
    case reconnectInterval(milliseconds: Int32)
    case reconnectIntervalMax(milliseconds: Int32)
    /// Be the CURVE server of this socket's connections, proving `secretKey`'s public half
    /// and asking ZAP (the `zapDomain`) which client keys may connect.
    case curveServer(secretKey: CurveKey)
    /// Connect as a CURVE client: encrypt to `serverKey`, authenticate as `keyPair`.
    case curveClient(serverKey: CurveKey, keyPair: CurveKeyPair)
    /// The ZAP domain the handler is asked about. libzmq 4.3 asks ZAP only while a handler is
    /// bound on the context (and accepts everyone otherwise), which is why `BusSecurity` binds
    /// the handler before it makes any CURVE server.
    case zapDomain(String)
}

extension Socket {
    public func set(_ option: SocketOption) throws {
        switch option {
        case .linger(let ms): try setInt32(ZMQ_LINGER, ms, "ZMQ_LINGER")
        case .routingID(let id): try setBytes(ZMQ_ROUTING_ID, id, "ZMQ_ROUTING_ID")
        case .routerMandatory(let on): try setInt32(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, "ZMQ_ROUTER_MANDATORY")
        case .subscribe(let prefix): try setBytes(ZMQ_SUBSCRIBE, prefix, "ZMQ_SUBSCRIBE")
        case .unsubscribe(let prefix): try setBytes(ZMQ_UNSUBSCRIBE, prefix, "ZMQ_UNSUBSCRIBE")
        case .maxMessageSize(let bytes):
            var value = bytes
            try setRaw(ZMQ_MAXMSGSIZE, &value, MemoryLayout<Int64>.size, "ZMQ_MAXMSGSIZE")
        case .receiveTimeout(let ms): try setInt32(ZMQ_RCVTIMEO, ms, "ZMQ_RCVTIMEO")
        case .sendTimeout(let ms): try setInt32(ZMQ_SNDTIMEO, ms, "ZMQ_SNDTIMEO")
        case .sendHighWaterMark(let n): try setInt32(ZMQ_SNDHWM, n, "ZMQ_SNDHWM")
        case .receiveHighWaterMark(let n): try setInt32(ZMQ_RCVHWM, n, "ZMQ_RCVHWM")
        case .immediate(let on): try setInt32(ZMQ_IMMEDIATE, on ? 1 : 0, "ZMQ_IMMEDIATE")
        case .xpubVerbose(let on): try setInt32(ZMQ_XPUB_VERBOSE, on ? 1 : 0, "ZMQ_XPUB_VERBOSE")
        case .reconnectInterval(let ms): try setInt32(ZMQ_RECONNECT_IVL, ms, "ZMQ_RECONNECT_IVL")
        case .reconnectIntervalMax(let ms): try setInt32(ZMQ_RECONNECT_IVL_MAX, ms, "ZMQ_RECONNECT_IVL_MAX")
        case .curveServer(let secret):
            try setInt32(ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER")
            try setBytes(ZMQ_CURVE_SECRETKEY, secret.bytes, "ZMQ_CURVE_SECRETKEY")
        case .curveClient(let server, let pair):
            try setBytes(ZMQ_CURVE_SERVERKEY, server.bytes, "ZMQ_CURVE_SERVERKEY")
            try setBytes(ZMQ_CURVE_PUBLICKEY, pair.publicKey.bytes, "ZMQ_CURVE_PUBLICKEY")
            try setBytes(ZMQ_CURVE_SECRETKEY, pair.secretKey.bytes, "ZMQ_CURVE_SECRETKEY")
        case .zapDomain(let domain): try setBytes(ZMQ_ZAP_DOMAIN, Data(domain.utf8), "ZMQ_ZAP_DOMAIN")
        }
    }

    private func setInt32(_ name: Int32, _ value: Int32, _ label: String) throws {
        var value = value
        try setRaw(name, &value, MemoryLayout<Int32>.size, label)
    }

    private func setBytes(_ name: Int32, _ bytes: Data, _ label: String) throws {
        try bytes.withUnsafeBytes { buffer in
            guard zmq_setsockopt(rawHandle, name, buffer.baseAddress, buffer.count) == 0 else {
                throw ZeroMQError.last("setsockopt \(label) on \(type)")
            }
        }
    }

    private func setRaw(_ name: Int32, _ value: UnsafeRawPointer, _ size: Int, _ label: String) throws {
        guard zmq_setsockopt(rawHandle, name, value, size) == 0 else {
            throw ZeroMQError.last("setsockopt \(label) on \(type)")
        }
    }
}
