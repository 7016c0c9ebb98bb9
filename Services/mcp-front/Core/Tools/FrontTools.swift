import BusMessages
import Foundation
import MCP
import ServiceKit

/// The tools that do not run in Blender: the session tools (broker ops, some of which move
/// the connection's current session), the session log, the dictionary search and the
/// toolsets. Their schemas are in the catalogue like every other tool's.
extension ToolCalls {
    /// How a session tool moves the connection's current session.
    private enum SessionEffect {
        case none
        /// The answered session becomes the current one.
        case makeCurrent
        /// The named session stops being current (if it was).
        case clearIfCurrent

        init(op: String) {
            switch op {
            case Op.sessionCreate, Op.sessionAttach, Op.sessionResume: self = .makeCurrent
            case Op.sessionClose: self = .clearIfCurrent
            default: self = .none
            }
        }
    }

    func session(_ tool: CatalogueTool, op: String, checked: [String: JSONValue]) async throws -> CallTool.Result {
        var params = checked
        if op == Op.sessionCreate { params = try await briefed(params) }
        // A session that follows an architecture prompt will want its tools: they are listed
        // from here on (and the client told), as enable_toolset would.
        if op == Op.sessionCreate, checked["prompt"] != nil { await connection.setToolset("architecture", enabled: true) }
        if op == Op.sessionList, params["status"] == "all" { params["status"] = nil }
        let answer = try await broker.send(.request(op: op, params: .object(params), source: connection.client), timeout: timeout)
        guard answer.kind == .reply, let result = answer.result else { return Self.failure(answer.error) }
        var shown = result
        let effect = SessionEffect(op: op)
        switch effect {
        case .makeCurrent:
            await connection.set(result["session_id"]?.stringValue)
            if op == Op.sessionAttach, let id = result["session_id"]?.stringValue {
                shown = await loadSwitched(id, into: result)  // SessionSwitchLoad.swift
            }
        case .clearIfCurrent:
            if await connection.id == checked["session_id"]?.stringValue { await connection.set(nil) }
        case .none:
            break
        }
        let made = effect == .makeCurrent ? result["session_id"]?.stringValue : nil
        return made.map { handle(toolResult(tool, shown), session: $0, implicit: true) } ?? toolResult(tool, shown)
    }

    /// create_session's `prompt`, `prompt_arguments` and `language` become the session's brief
    /// (prompt-service resolves the entry and its ranges), which design.md begins with.
    private func briefed(_ params: [String: JSONValue]) async throws -> [String: JSONValue] {
        var params = params
        let prompt = params.removeValue(forKey: "prompt")?.stringValue
        let arguments = params.removeValue(forKey: "prompt_arguments")
        let language = params.removeValue(forKey: "language")?.stringValue
        if prompt == nil, arguments != nil {
            throw ArgumentError(description: "create_session: 'prompt_arguments' needs 'prompt', the dictionary entry they were given to")
        }
        if let prompt {
            params["brief"] = try await prompts.brief(prompt, arguments: arguments ?? [:], lang: language ?? "en")
        } else if let language {
            params["brief"] = ["language": .string(language)]
        }
        return params
    }

    func front(_ tool: CatalogueTool, _ name: String, checked: [String: JSONValue]) async throws -> CallTool.Result {
        switch name {
        case "search_prompts":
            do {
                return Self.text(try await prompts.search(query: checked["query"]?.stringValue ?? "", lang: checked["lang"]?.stringValue))
            } catch {
                return Self.failure(error as? BusError ?? BusError(code: "prompt_error", message: "\(error)"))
            }
        case "session_log":
            return try await sessionLog(checked)
        case "list_toolsets":
            let enabled = await connection.toolsets
            return toolResult(tool, ["toolsets": .array(catalogue.toolsets.map { set in
                ["name": .string(set.name), "description": .string(set.description),
                 "enabled": .bool(set.name == ToolCatalogue.core || enabled.contains(set.name)),
                 "tools": .array(set.tools.map(JSONValue.string))]
            })])
        case "enable_toolset":
            let name = checked["name"]?.stringValue ?? ""
            let enabled = checked["enabled"]?.boolValue ?? true
            await connection.setToolset(name, enabled: enabled)
            // The definitions travel with the answer: a 2026-07-28 client keeps no listing
            // state, and any client can call them at once.
            let tools = catalogue.tools.filter { $0.toolset == name }.map { MCPResultEncoder.json($0.definition) }
            return toolResult(tool, ["toolset": .string(name), "enabled": .bool(enabled), "tools": .array(tools)])
        default:
            return Self.failure(BusError(code: "internal", message: "the catalogue names a front tool '\(name)' this mcp-front does not run"))
        }
    }

    private func sessionLog(_ checked: [String: JSONValue]) async throws -> CallTool.Result {
        let current = await connection.id
        guard let session = checked["session_id"]?.stringValue ?? current else {
            return Self.failure(BusError(code: ErrorCode.unknownSession, message: "get_session_log: no session given and this connection has none yet"))
        }
        let tail = checked["tail"]?.intValue ?? 50
        let answer = try await logs.send(.request(op: Op.logsRead, params: [
            "session_id": .string(session), "file": "command.log", "tail": .int(tail)], source: connection.client), timeout: timeout)
        guard answer.kind == .reply else { return Self.failure(answer.error) }
        return Self.text(answer.result?["content"]?.stringValue ?? "")
    }
}
