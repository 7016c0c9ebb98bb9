import BusMessages
import Foundation
import ServiceKit

/// The session this MCP connection works in when a tool call names none. MCP's newest spec
/// has no transport sessions, so ours is ordinary state of the connection: the first scene
/// call without one takes the user's own scene in an attached GUI Blender (its home session),
/// else creates a session; the session tools switch it.
actor ConnectionSession {
    /// This connection's identity at the broker, for session ownership.
    nonisolated let client: String
    private var current: String?
    /// A session named on the command line is attached (or created) on first use.
    private var needsAttach: Bool

    init(client: String, preset: String?) {
        self.client = client
        current = preset
        needsAttach = preset != nil
    }

    var id: String? { current }

    func set(_ id: String?) {
        current = id
        needsAttach = false
    }

    /// The session a scene call runs in: the one it names, else the current one, else a new one.
    func resolve(explicit: String?, broker: RequestClient, timeout: Duration) async throws -> String {
        if let explicit { return explicit }
        if let current, !needsAttach { return current }
        if let current {
            let attached = try await broker.send(
                .request(op: Op.sessionAttach, params: ["session_id": .string(current)], source: client), timeout: timeout)
            if attached.kind == .reply {
                needsAttach = false
                return current
            }
            guard attached.error?.code == ErrorCode.unknownSession else {
                throw attached.error ?? BusError(code: "attach_failed", message: "could not attach session \(current)")
            }
        }
        if current == nil, let home = await homeSession(broker: broker, timeout: timeout) {
            set(home)
            return home
        }
        var params: [String: JSONValue] = ["name": .string(current ?? "default")]
        if let current { params["session_id"] = .string(current) }
        let created = try await broker.send(.request(op: Op.sessionCreate, params: .object(params), source: client), timeout: timeout)
        guard created.kind == .reply, let id = created.result?["session_id"]?.stringValue else {
            throw created.error ?? BusError(code: "create_failed", message: "could not create a session")
        }
        set(id)
        return id
    }

    /// The home session of an attached GUI Blender (what the user sees), or nil when none is
    /// attached: then this connection gets a session of its own, as without a GUI.
    private func homeSession(broker: RequestClient, timeout: Duration) async -> String? {
        guard let answer = try? await broker.send(.request(op: Op.sessionHome, params: [:], source: client), timeout: timeout),
              answer.kind == .reply else { return nil }
        return answer.result?["session_id"]?.stringValue
    }
}
