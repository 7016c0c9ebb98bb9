import BusMessages
import Foundation
import MCP

/// The session tools: each is a broker op, and some move the connection's current session.
enum SessionTools {
    enum Effect {
        case none
        /// The answered session becomes the current one.
        case makeCurrent
        /// The named session stops being current (if it was).
        case clearIfCurrent
    }

    struct Definition: Sendable {
        let name: String
        let description: String
        let parameters: [ToolParameter]
        let op: String
        let effect: Effect

        var tool: Tool { Tool(name: name, description: description, inputSchema: parameters.inputSchema) }
    }

    static let sessionID = ToolParameter(name: "session_id", kind: .string, required: true, description: "The session's id (from create_session or list_sessions)")

    static let all: [Definition] = [
        Definition(
            name: "create_session",
            description: "Create a new modelling session (its own scene, logged and checkpointed) and make it this connection's current session.",
            parameters: [
                ToolParameter(name: "name", kind: .string, required: false, description: "A readable name, e.g. 'tea house study'"),
                ToolParameter(name: "instance", kind: .string, required: false, description: "Blender instance to place it on (default: the least loaded)"),
                ToolParameter(name: "prompt", kind: .string, required: false, description: "The architecture prompt (dictionary entry id, e.g. 'detached-house') the work follows: design.md records it and flags what leaves its ranges"),
                ToolParameter(name: "prompt_arguments", kind: .object, required: false, description: "The arguments given to that prompt, e.g. {\"width\": 8}"),
                ToolParameter(name: "language", kind: .string, required: false, description: "Language of design.md: en or ja (default: the prompt's, else the session name's)"),
            ],
            op: Op.sessionCreate, effect: .makeCurrent),
        Definition(
            name: "list_sessions",
            description: "List sessions, most recently used first, optionally only those in one state (active, idle, closed, lost).",
            parameters: [ToolParameter(name: "status", kind: .string, required: false, description: "active, idle, closed or lost")],
            op: Op.sessionList, effect: .none),
        Definition(
            name: "get_session", description: "Show one session: state, instance, use counts, latest checkpoint.",
            parameters: [sessionID], op: Op.sessionGet, effect: .none),
        Definition(
            name: "switch_session",
            description: "Make a session this connection's current one (scene tools without session_id then act on it).",
            parameters: [sessionID, ToolParameter(name: "force", kind: .boolean, required: false, description: "Take it over even if another client is attached")],
            op: Op.sessionAttach, effect: .makeCurrent),
        Definition(
            name: "close_session",
            description: "Close a session: its scene is checkpointed (unless keep_checkpoint is false, which deletes its checkpoints) and released from Blender.",
            parameters: [sessionID, ToolParameter(name: "keep_checkpoint", kind: .boolean, required: false, description: "Keep the .blend checkpoints (default true)")],
            op: Op.sessionClose, effect: .clearIfCurrent),
        Definition(
            name: "resume_session",
            description: "Reopen a closed, idle or lost session from its latest checkpoint on a live Blender and make it current.",
            parameters: [sessionID], op: Op.sessionResume, effect: .makeCurrent),
    ]

    static let byName: [String: Definition] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
