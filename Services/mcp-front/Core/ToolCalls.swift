import BusMessages
import Foundation
import MCP
import ServiceKit

/// Runs tool calls against the broker. Bad arguments and Blender's own errors are tool errors
/// (`isError`), as the MCP spec asks, so the model sees them and can correct itself.
struct ToolCalls: Sendable {
    let broker: RequestClient
    let logs: RequestClient
    let connection: ConnectionSession
    let timeout: Duration
    let prompts: ArchitecturePrompts

    static let sessionArgument = ToolParameter(
        name: "session_id", kind: .string, required: false,
        description: "Session to act in (default: this connection's current session; one is created on first use)")

    /// Runs the tool called `name`, whichever kind it is.
    func call(_ name: String, arguments: [String: Value]?, progress: ToolProgress = .none) async throws -> CallTool.Result {
        if let tool = BlenderTools.byName[name] { return await scene(tool, arguments: arguments, progress: progress) }
        if let tool = SessionTools.byName[name] { return await session(tool, arguments: arguments) }
        if let result = await extra(name, arguments: arguments) { return result }
        throw MCPError.invalidParams("unknown tool '\(name)'; tools are \(MCPHandlers.tools.map(\.name).joined(separator: ", "))")
    }

    func scene(_ tool: BlenderTool, arguments: [String: Value]?, progress: ToolProgress = .none) async -> CallTool.Result {
        do {
            var arguments = arguments ?? [:]
            let explicit = try [Self.sessionArgument].validate(
                arguments.removeValue(forKey: "session_id").map { ["session_id": $0] }, tool: tool.name)["session_id"]?.stringValue
            let checked = try tool.parameters.validate(arguments, tool: tool.name)
            let session = try await connection.resolve(explicit: explicit, broker: broker, timeout: timeout)
            var request = Envelope.request(op: tool.op, session: session, params: tool.params(checked), source: connection.client)
            request.meta = ["tool": .string(tool.name)]
            await progress.report(1, of: 2, "\(tool.name): sent to Blender (session \(session))")
            let answer = try await broker.send(request, timeout: timeout)
            await progress.report(2, of: 2, "\(tool.name): \(answer.kind == .reply ? "done" : "failed")")
            guard answer.kind == .reply else { return Self.failure(answer.error) }
            let result = answer.result ?? .null
            let note = Self.note(answer.meta?["session"], session: session)
            // A render comes back as an image the client can show, with its facts beside it.
            if let image = result["base64"]?.stringValue, case .object(var facts) = result {
                facts["base64"] = nil
                return CallTool.Result(content: [
                    .image(data: image, mimeType: "image/\(result["format"]?.stringValue ?? "png")", annotations: nil, _meta: nil),
                    .text(text: BlenderTools.prettyJSON(.object(facts)) + note, annotations: nil, _meta: nil),
                ])
            }
            return handle(Self.text(tool.format(result) + note), session: session, implicit: explicit == nil)
        } catch let error as ArgumentError {
            return CallTool.Result(content: [.text(text: error.description, annotations: nil, _meta: nil)], isError: true)
        } catch {
            return Self.failure(error as? BusError ?? BusError(code: "internal", message: "\(error)"))
        }
    }

    func session(_ tool: SessionTools.Definition, arguments: [String: Value]?) async -> CallTool.Result {
        do {
            var checked = try tool.parameters.validate(arguments, tool: tool.name)
            if tool.op == Op.sessionCreate { checked = try await briefed(checked) }
            let answer = try await broker.send(.request(op: tool.op, params: .object(checked), source: connection.client), timeout: timeout)
            guard answer.kind == .reply, let result = answer.result else { return Self.failure(answer.error) }
            var shown = result
            switch tool.effect {
            case .makeCurrent:
                await connection.set(result["session_id"]?.stringValue)
                if tool.name == "switch_session", let id = result["session_id"]?.stringValue {
                    shown = await loadSwitched(id, into: result)  // SessionSwitchLoad.swift
                }
            case .clearIfCurrent:
                if await connection.id == checked["session_id"]?.stringValue { await connection.set(nil) }
            case .none:
                break
            }
            let made = tool.effect == .makeCurrent ? result["session_id"]?.stringValue : nil
            return made.map { handle(Self.text(BlenderTools.prettyJSON(shown)), session: $0, implicit: true) }
                ?? Self.text(BlenderTools.prettyJSON(shown))
        } catch let error as ArgumentError {
            return CallTool.Result(content: [.text(text: error.description, annotations: nil, _meta: nil)], isError: true)
        } catch {
            return Self.failure(error as? BusError ?? BusError(code: "internal", message: "\(error)"))
        }
    }

    /// create_session's `prompt`, `prompt_arguments` and `language` become the session's brief
    /// (prompt-service resolves the entry and its ranges), which design.md begins with.
    private func briefed(_ params: [String: JSONValue]) async throws -> [String: JSONValue] {
        var params = params
        let prompt = params.removeValue(forKey: "prompt")?.stringValue
        let arguments = params.removeValue(forKey: "prompt_arguments")
        let language = params.removeValue(forKey: "language")?.stringValue
        if let language, language != "en", language != "ja" {
            throw ArgumentError(description: "create_session: 'language' must be \"en\" or \"ja\", got \"\(language)\"")
        }
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

    static let searchPrompts = [
        ToolParameter(name: "query", kind: .string, required: true, description: "Keywords in English or Japanese, e.g. 'tea house', '茶室', 'gable roof'"),
        ToolParameter(name: "lang", kind: .string, required: false, description: "Only match this language: en or ja"),
    ]
    static let sessionLog = [
        ToolParameter(name: "session_id", kind: .string, required: false, description: "Session (default: the current one)"),
        ToolParameter(name: "tail", kind: .integer, required: false, description: "How many of the latest commands (default 50)"),
    ]

    /// Tools for clients without prompt or resource support.
    static let extraTools = [
        Tool(name: "search_architecture_prompts",
             description: "Search the architecture prompt dictionary (building types, styles, elements, rooms; English and Japanese) for recipes with real dimensions.",
             inputSchema: searchPrompts.inputSchema),
        Tool(name: "get_session_log",
             description: "The latest commands of a session from its command.log: tool, params, status, duration, errors.",
             inputSchema: sessionLog.inputSchema),
    ]

    func extra(_ name: String, arguments: [String: Value]?) async -> CallTool.Result? {
        do {
            switch name {
            case "search_architecture_prompts":
                let checked = try Self.searchPrompts.validate(arguments, tool: name)
                let lang = checked["lang"]?.stringValue
                if let lang, lang != "en", lang != "ja" {
                    throw ArgumentError(description: "\(name): argument 'lang' must be \"en\" or \"ja\", got \"\(lang)\"")
                }
                return Self.text(try await prompts.search(query: checked["query"]?.stringValue ?? "", lang: lang))
            case "get_session_log":
                let checked = try Self.sessionLog.validate(arguments, tool: name)
                let current = await connection.id
                guard let session = checked["session_id"]?.stringValue ?? current else {
                    return Self.failure(BusError(code: ErrorCode.unknownSession, message: "\(name): no session given and this connection has none yet"))
                }
                let tail = checked["tail"]?.intValue ?? 50
                let answer = try await logs.send(.request(op: Op.logsRead, params: [
                    "session_id": .string(session), "file": "command.log", "tail": .int(max(1, min(tail, 1000)))], source: connection.client),
                    timeout: timeout)
                guard answer.kind == .reply else { return Self.failure(answer.error) }
                return Self.text(answer.result?["content"]?.stringValue ?? "")
            default:
                return nil
            }
        } catch let error as ArgumentError {
            return CallTool.Result(content: [.text(text: error.description, annotations: nil, _meta: nil)], isError: true)
        } catch {
            return Self.failure(error as? BusError ?? BusError(code: "prompt_error", message: "\(error)"))
        }
    }

    /// Tells the model when its session moved or came back from a checkpoint.
    static func note(_ session: JSONValue?, session id: String) -> String {
        guard let session else { return "" }
        let checkpoint = session["restored_from"]?.stringValue ?? session["checkpoint"]?.stringValue
        let replayed = session["replayed"]?.intValue ?? 0
        let journal = replayed > 0 ? ", then its last \(replayed) command\(replayed == 1 ? "" : "s") replayed from the journal (nothing acknowledged was lost)" : ""
        let source = (checkpoint.map { "restored from checkpoint \($0)" } ?? "started from a fresh scene (no checkpoint existed)") + journal
        if session["rehomed"]?.boolValue == true {
            return "\n\nNote: session \(id) lost its Blender instance (\(session["from_instance"]?.stringValue ?? "?")); it was re-homed on \(session["to_instance"]?.stringValue ?? "another instance") and \(source)."
        }
        if session["to_instance"] != nil, checkpoint != nil {
            return "\n\nNote: session \(id) was idle and has been \(source) on \(session["to_instance"]?.stringValue ?? "a live instance")."
        }
        return ""
    }

    /// At 2026-07-28 the session is a handle the model carries: a result reached without
    /// one, or one that made a session current, says which to pass from now on (in a block of
    /// its own, so the first stays the tool's plain answer). Nothing at the handshake era,
    /// where the connection remembers.
    func handle(_ result: CallTool.Result, session: String, implicit: Bool) -> CallTool.Result {
        guard connection.stateless, implicit else { return result }
        let note = "Session: \(session). Pass \"session_id\": \"\(session)\" in every later call to keep working in it (MCP 2026-07-28 keeps no state between requests)."
        return CallTool.Result(content: result.content + [.text(text: note, annotations: nil, _meta: nil)], isError: result.isError)
    }

    static func text(_ text: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)])
    }

    static func failure(_ error: BusError?) -> CallTool.Result {
        let error = error ?? BusError(code: "unknown", message: "the broker answered without a result")
        var text = "Error (\(error.code)): \(error.message)"
        if error.retryable { text += "\nThis error is temporary; the call can be retried." }
        if let detail = error.detail, !detail.isEmpty { text += "\n\n\(detail)" }
        return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], isError: true)
    }
}
