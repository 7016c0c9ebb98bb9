import BusMessages
import Foundation
import ServiceKit

/// `switch_session` loads the session's scene at once, so the switch itself is where a GUI
/// Blender puts the user's scene aside, and its result says so.
///
/// The broker lets a GUI Blender load a session other than the user's own only for a request
/// marked `meta.switch` (see the broker's SessionHome.swift); the addon checkpoints the user's
/// scene first and reports the path, which goes into the result with how to get it back.
extension ToolCalls {
    func loadSwitched(_ id: String, into result: JSONValue) async -> JSONValue {
        guard case .object(var fields) = result else { return result }
        var request = Envelope.request(op: Op.sceneInfo, session: id, params: [:], source: connection.client)
        request.meta = ["tool": "switch_session", "switch": true]
        do {
            let answer = try await broker.send(request, timeout: timeout)
            guard answer.kind == .reply else {
                fields["loaded"] = false
                fields["load_error"] = .string(answer.error.map { "\($0.code): \($0.message)" } ?? "no answer")
                return .object(fields)
            }
            fields["loaded"] = true
            let session = answer.meta?["session"]
            if let instance = session?["instance"] { fields["instance"] = instance }
            if let saved = session?["user_scene_checkpoint"]?.stringValue {
                fields["user_scene_checkpoint"] = .string(saved)
                fields["note"] = .string("The user's own scene (unsaved changes included) was checkpointed to \(saved) before this session was loaded; switch_session back to the Blender's home session restores it exactly. The user's file was not written.")
            }
        } catch {
            fields["loaded"] = false
            fields["load_error"] = .string("\(error)")
        }
        return .object(fields)
    }
}
