import BusMessages
import Foundation
import ServiceKit

/// A GUI Blender's home session: the scene the user has open, a session of its own.
///
/// The GUI addon names it (`home-<host>-<pid>`) in its hello; the bridge passes it on in the
/// instance's READY announcement. `session.home` registers it on first ask, and mcp-front makes
/// it the default current session of a client, so tools act on what the user sees. The rules:
///
/// - A home session never moves: its scene exists only in that Blender.
/// - Other sessions are placed on headless Blenders (`leastLoadedInstance` skips GUI ones).
/// - A GUI Blender loads another session only for an explicit `switch_session` (the request
///   carries `meta.switch`); the addon checkpoints the user's scene first and says where.
extension SessionBroker {
    static let homePrefix = "home-"

    /// Handles `session.home {instance?}`; false leaves the request to the other handlers.
    func handleHomeOp(_ request: Envelope, route: [Data]) -> Bool {
        guard request.op == Op.sessionHome else { return false }
        do {
            let requested = try Params(request.params ?? [:], op: Op.sessionHome).string("instance")
            answer(route, request.reply(try homeSession(on: requested).json, source: source))
        } catch {
            answer(route, request.failure(error, source: source))
        }
        return true
    }

    func isHomeSession(_ id: String) -> Bool { id.hasPrefix(Self.homePrefix) }

    /// Clients may not make sessions that look like a GUI Blender's home.
    func refuseHomeID(_ id: String?) throws(BusError) {
        guard let id, isHomeSession(id) else { return }
        throw BusError(code: ErrorCode.badParams,
                       message: "session ids starting with '\(Self.homePrefix)' name a GUI Blender's own scene; choose another id")
    }

    func isGUIInstance(_ instance: String) -> Bool { bridges.instance(instance)?.isGUI ?? false }

    private var guiInstances: [BlenderInstance] {
        bridges.bridges.values.flatMap(\.instances).filter { $0.isGUI && $0.homeSession != nil }.sorted { $0.id < $1.id }
    }

    /// The home session of `instance` (default: the GUI Blender with the fewest clients in its
    /// home, then by id), registered or re-bound now.
    private func homeSession(on requested: String?) throws(BusError) -> Session {
        let candidates = guiInstances.filter { requested == nil || $0.id == requested }
        guard let home = candidates.first, let id = home.homeSession else {
            let live = bridges.liveInstances.map(\.instance).sorted().joined(separator: ", ")
            throw BusError(code: ErrorCode.noGUIBlender, message: requested.map {
                "no live GUI Blender '\($0)' with the add-on; live instances: \(live.isEmpty ? "none" : live)"
            } ?? "no GUI Blender with the add-on is attached (live instances: \(live.isEmpty ? "none" : live)); `bmcp up --attach` attaches the ones running")
        }
        let name = home.homeName ?? "untitled"
        if let existing = sessions.sessions[id] {
            if existing.state == .active, existing.instance == home.id, existing.name == name { return existing }
            return try sessions.update(id) {
                $0.state = .active
                $0.instance = home.id
                $0.name = name
            }
        }
        let session = try sessions.create(id: id, name: name, owner: nil, instance: home.id)
        events.publish(EventName.sessionCreated, session: id, payload: session.json)
        return session
    }

    /// Placement for home sessions and for sessions on (or for) GUI Blenders; nil leaves the
    /// session to the ordinary rules.
    func placeForGUI(_ session: Session, request: Envelope) throws(BusError)
        -> (instance: String?, bridge: Data?, note: JSONValue?)?
    {
        if isHomeSession(session.id) {
            guard let instance = session.instance, let bridge = bridges.bridge(holding: instance) else {
                throw BusError(code: ErrorCode.noBlender, message:
                    "session '\(session.id)' is the user's own scene in a GUI Blender (\(session.instance ?? "none")) that is not connected now; it cannot move to another Blender",
                    retryable: true)
            }
            if session.state != .active { try sessions.update(session.id) { $0.state = .active } }
            return (instance, bridge, nil)
        }
        let switching = request.meta?["switch"]?.boolValue == true
        if session.state == .active, let instance = session.instance, let bridge = bridges.bridge(holding: instance),
           isGUIInstance(instance) {
            guard switching || resident[instance] == session.id else {
                throw BusError(code: ErrorCode.sessionNotLoaded, message:
                    "session '\(session.id)' lives on the GUI Blender \(instance), which shows the user's own scene; switch_session '\(session.id)' loads it there (the user's scene is checkpointed first)")
            }
            return (instance, bridge, nil)
        }
        // An explicit switch with no headless Blender to take the session: the GUI one does.
        guard switching, leastLoadedInstance() == nil, let gui = guiInstances.first,
              let bridge = bridges.bridge(holding: gui.id) else { return nil }
        try sessions.update(session.id) {
            $0.state = .active
            $0.instance = gui.id
        }
        return (gui.id, bridge, ["to_instance": .string(gui.id), "checkpoint": session.latestCheckpoint.map(JSONValue.string) ?? .null])
    }
}
