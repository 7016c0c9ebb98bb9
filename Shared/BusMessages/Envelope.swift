import Foundation

/// The one JSON object every ZeroMQ message carries (DESIGN.md, "Envelope").
public struct Envelope: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case request, reply, error, event, ready, heartbeat, disconnect
    }

    public static let version = 2

    public var v: Int
    public var id: String
    public var kind: Kind
    public var op: String?
    public var session: String?
    public var params: JSONValue?
    public var result: JSONValue?
    public var error: BusError?
    public var ts: String?
    public var seq: UInt64?
    public var source: String?
    /// Out-of-band facts about the exchange that are not the op's own result: the session
    /// context the broker hands a bridge, or "this session was re-homed" on a reply.
    public var meta: JSONValue?

    public init(
        id: String = Envelope.newID(), kind: Kind, op: String? = nil, session: String? = nil,
        params: JSONValue? = nil, result: JSONValue? = nil, error: BusError? = nil,
        ts: String? = nil, seq: UInt64? = nil, source: String? = nil, meta: JSONValue? = nil
    ) {
        self.v = Envelope.version
        self.id = id
        self.kind = kind
        self.op = op
        self.session = session
        self.params = params
        self.result = result
        self.error = error
        self.ts = ts
        self.seq = seq
        self.source = source
        self.meta = meta
    }

    public static func newID() -> String { RandomID.uuid() }

    public static func request(op: String, session: String? = nil, params: JSONValue = [:], source: String? = nil) -> Envelope {
        Envelope(kind: .request, op: op, session: session, params: params, source: source)
    }

    /// The reply to this request, keeping its id, op and session.
    public func reply(_ result: JSONValue, source: String? = nil) -> Envelope {
        Envelope(id: id, kind: .reply, op: op, session: session, result: result, source: source)
    }

    /// The error answer to this request, keeping its id, op and session.
    public func failure(_ error: BusError, source: String? = nil) -> Envelope {
        Envelope(id: id, kind: .error, op: op, session: session, error: error, source: source)
    }
}

/// An error as it crosses the bus: a stable code for programs, a sentence for people.
public struct BusError: Sendable, Equatable, Error, CustomStringConvertible {
    public var code: String
    public var message: String
    public var retryable: Bool
    /// Extra detail when there is some, e.g. a Python traceback from Blender.
    public var detail: String?

    public init(code: String, message: String, retryable: Bool = false, detail: String? = nil) {
        self.code = code
        self.message = message
        self.retryable = retryable
        self.detail = detail
    }

    public var description: String { "\(code): \(message)" }
}

/// Error codes used across services, so clients can branch on them.
public enum ErrorCode {
    public static let badMessage = "bad_message"
    /// A restored session's journal could not be replayed whole (`Session.diverged`).
    public static let sessionDiverged = "session_diverged"
    /// The session is in the middle of something (a restore) that this request must not cut into.
    public static let sessionBusy = "session_busy"
    public static let unknownOp = "unknown_op"
    public static let badParams = "bad_params"
    public static let noBlender = "no_blender"
    public static let bridgeLost = "bridge_lost"
    public static let blenderLost = "blender_lost"
    public static let brokerUnreachable = "broker_unreachable"
    public static let serviceUnreachable = "service_unreachable"
    public static let timeout = "timeout"
    public static let shuttingDown = "shutting_down"
    public static let unknownSession = "unknown_session"
    public static let sessionClosed = "session_closed"
    public static let sessionInUse = "session_in_use"
    public static let sessionNotLoaded = "session_not_loaded"
    public static let unknownInstance = "unknown_instance"
    public static let noGUIBlender = "no_gui_blender"
    public static let registryFailed = "registry_failed"
    /// A message over a size limit (BMCP_MAX_MESSAGE_BYTES, or a list's page): named in the message.
    public static let tooLarge = "too_large"
    /// A bounded resource is full (HTTP MCP sessions, SSE streams): the message names its setting.
    public static let overCapacity = "over_capacity"
}
