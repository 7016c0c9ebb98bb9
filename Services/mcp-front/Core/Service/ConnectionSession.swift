import BusMessages
import Foundation
import ServiceKit

/// The session a tool call works in when it names none.
///
/// At the handshake era that is state of the connection: the first scene call without one
/// takes the user's own scene in an attached GUI Blender (its home session), else creates a
/// session; the session tools switch it. At 2026-07-28 (`stateless`) a request may reach any
/// mcp-front replica and none remembers the last: the session is the `session_id` handle the
/// model passes, and a call without one is given the home session, else the caller's most
/// recently used live session as the broker knows it, else a new one; the result says which.
actor ConnectionSession {
    /// This connection's identity at the broker, for session ownership.
    nonisolated let client: String
    /// One request of the stateless revision: nothing here outlives it.
    nonisolated let stateless: Bool
    private var current: String?
    /// A session named on the command line is attached (or created) on first use.
    private var needsAttach: Bool
    /// The toolsets this connection lists besides core (`enable_toolset`).
    private(set) var toolsets: Set<String> = []
    /// Tells the client its tool list changed (`notifications/tools/list_changed`); nil at
    /// 2026-07-28, where no connection outlives a request.
    private var toolsChanged: (@Sendable () async -> Void)?

    init(client: String, preset: String?, stateless: Bool = false) {
        self.client = client
        self.stateless = stateless
        current = preset
        needsAttach = preset != nil
    }

    var id: String? { current }

    func set(_ id: String?) {
        current = id
        needsAttach = false
    }

    func onToolsChanged(_ notify: @escaping @Sendable () async -> Void) {
        toolsChanged = notify
    }

    /// Lists `toolset` or stops listing it; the client is told when that changed the list.
    func setToolset(_ toolset: String, enabled: Bool) async {
        let changed = enabled ? toolsets.insert(toolset).inserted : toolsets.remove(toolset) != nil
        if changed { await toolsChanged?() }
    }

    /// The session a scene call runs in: the one it names, else the current one, else a new one.
    func resolve(explicit: String?, broker: RequestClient, timeout: Duration) async throws -> String {
        if let explicit { return explicit }
        if stateless, current == nil {
            var found = await homeSession(broker: broker, timeout: timeout)
            if found == nil { found = await latestOwned(broker: broker, timeout: timeout) }
            if let found {
                set(found)
                return found
            }
        }
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

    /// The live session this caller used last (sessions come most recently used first).
    private func latestOwned(broker: RequestClient, timeout: Duration) async -> String? {
        guard let answer = try? await broker.send(.request(op: Op.sessionList, params: [:], source: client), timeout: timeout),
              answer.kind == .reply else { return nil }
        let sessions = answer.result?["sessions"]?.arrayValue ?? []
        return sessions.first { session in
            session["owner"]?.stringValue == client && ["active", "idle"].contains(session["state"]?.stringValue ?? "")
        }?["session_id"]?.stringValue
    }
}
