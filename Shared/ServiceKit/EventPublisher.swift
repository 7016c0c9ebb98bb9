import BusMessages
import Foundation
import ZeroMQ

/// A service's voice on the event bus: a PUB socket connected to the broker's XSUB, stamping
/// each event with this publisher's name and a gap-free sequence number, so subscribers can
/// tell when they missed some (ZeroMQ guide, "Clone" pattern).
///
/// Loop-confined: create and use it on one `SocketLoop`.
public final class EventPublisher {
    public let source: String
    private let socket: Socket
    private let codec = EnvelopeCodec()
    private var sequence: UInt64 = 0
    /// Kept only by publishers that serve replays (the broker).
    public private(set) var history: EventHistory?

    public init(loop: SocketLoop, endpoint: String, source: String, history: EventHistory? = nil) throws {
        self.source = source
        self.history = history
        socket = try loop.makeSocket(.pub)
        // Events are observations, not commands: if the proxy is down, drop rather than block.
        try socket.set(.sendHighWaterMark(100_000))
        try loop.connect(socket, to: endpoint)
    }

    /// Topic frame for SUB prefix filtering: "session/<id>" or "service/<source>".
    public static func topic(session: String?, source: String) -> String {
        if let session { return "session/\(session)" }
        return "service/\(source)"
    }

    public func publish(_ name: String, session: String? = nil, payload: JSONValue = [:]) {
        sequence += 1
        let event = Envelope(
            kind: .event, op: name, session: session, params: payload,
            ts: Timestamp.now(), seq: sequence, source: source)
        guard let data = try? codec.encode(event) else { return }
        let topic = Self.topic(session: session, source: source)
        history?.append(seq: sequence, topic: topic, payload: data)
        _ = try? socket.send([Data(topic.utf8), data], dontWait: true)
    }

    /// The latest sequence number, without spending one: lets subscribers notice events they
    /// missed at the tail, when no newer event would reveal the gap.
    public func publishHead() {
        let head = Envelope(kind: .event, op: EventName.busHead, ts: Timestamp.now(), seq: sequence, source: source)
        guard let data = try? codec.encode(head) else { return }
        _ = try? socket.send([Data(Self.topic(session: nil, source: source).utf8), data], dontWait: true)
    }
}

/// A short random suffix so several instances of one service tell themselves apart.
public func instanceTag() -> String {
    RandomID.hex(4)
}
