import BusMessages
import Foundation
import ZeroMQ

/// Serves request/reply queries on a ROUTER socket for services that answer by themselves
/// (prompt-service, log-writer). A ROUTER rather than a REP so a slow or vanished client can
/// never wedge the socket's strict send/receive alternation; REQ and DEALER clients both work
/// because the routing frames are echoed back unchanged.
///
/// Loop-confined: create and use it on one `SocketLoop`.
public final class QueryResponder {
    public typealias Handler = (Envelope) throws(BusError) -> JSONValue

    private let socket: Socket
    private let codec = EnvelopeCodec()
    private let source: String
    private var handlers: [String: Handler] = [:]

    public init(loop: SocketLoop, endpoint: String, source: String) throws {
        self.source = source
        socket = try loop.makeSocket(.router)
        try socket.set(.maxMessageSize(Int64(EnvelopeCodec.defaultLimit)))
        try loop.bind(socket, to: endpoint)
        handle(Op.health) { _ in ["status": "ok"] }
        loop.watch(socket) { [unowned self] in try self.drain() }
    }

    /// Answers requests for `op` with `handler`'s result, or its error.
    public func handle(_ op: String, _ handler: @escaping Handler) {
        handlers[op] = handler
    }

    private func drain() throws {
        while let frames = try socket.receive(dontWait: true) {
            guard frames.count >= 2, let payload = frames.last else { continue }
            let route = Array(frames.dropLast())
            let reply = answer(payload)
            if let data = try? codec.encode(reply) {
                _ = try? socket.send(route + [data], dontWait: true)
            }
        }
    }

    private func answer(_ payload: Data) -> Envelope {
        let request: Envelope
        do {
            request = try codec.decode(payload)
        } catch {
            return Envelope(id: EnvelopeCodec.salvageID(from: payload) ?? "", kind: .error,
                            error: error.busError, source: source)
        }
        guard request.kind == .request, let op = request.op else {
            return request.failure(BusError(code: ErrorCode.badMessage,
                message: "expected kind 'request' with an 'op', got kind '\(request.kind.rawValue)'"), source: source)
        }
        guard let handler = handlers[op] else {
            return request.failure(BusError(code: ErrorCode.unknownOp,
                message: "\(source) has no op '\(op)'; it knows \(handlers.keys.sorted().joined(separator: ", "))"),
                source: source)
        }
        do {
            return request.reply(try handler(request), source: source)
        } catch {
            return request.failure(error, source: source)
        }
    }
}
