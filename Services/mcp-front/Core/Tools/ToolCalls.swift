import BusMessages
import Foundation
import MCP
import ServiceKit

/// Runs tool calls: each tool as its catalogue entry says (an addon op in the session's
/// Blender, a broker op, or mcp-front itself). Bad arguments and Blender's own errors are tool
/// errors (`isError`), as the MCP spec asks, so the model sees them and can correct itself.
struct ToolCalls: Sendable {
    let broker: RequestClient
    let logs: RequestClient
    let connection: ConnectionSession
    let timeout: Duration
    let prompts: ArchitecturePrompts
    var catalogue: ToolCatalogue { .bundled }

    /// Runs the tool called `name`, whichever kind it is. Every tool of the catalogue can be
    /// called, listed or not: a toolset only decides what `tools/list` shows.
    func call(_ name: String, arguments: [String: Value]?, progress: ToolProgress = .none) async throws -> CallTool.Result {
        guard let tool = catalogue.byName[name] else {
            throw MCPError.invalidParams("unknown tool '\(name)'; list_toolsets names every toolset and its tools, tools/list the ones listed now")
        }
        let arguments = (arguments ?? [:]).mapValues(JSONValue.init)
        do {
            switch tool.runner {
            case .addon(let op):
                return try await scene(tool, op: op, arguments: arguments, progress: progress)
            case .broker(let op):
                return try await session(tool, op: op, checked: tool.check(arguments))
            case .front(let name):
                return try await front(tool, name, checked: tool.check(arguments))
            }
        } catch let error as ArgumentError {
            return Self.refusal(error.description)
        } catch {
            return Self.failure(error as? BusError ?? BusError(code: "internal", message: "\(error)"))
        }
    }

    private func scene(_ tool: CatalogueTool, op: String, arguments: [String: JSONValue], progress: ToolProgress) async throws -> CallTool.Result {
        let checked = try tool.check(arguments)
        let explicit = checked["session_id"]?.stringValue
        let session = try await connection.resolve(explicit: explicit, broker: broker, timeout: timeout)
        var request = Envelope.request(op: op, session: session, params: tool.params(checked), source: connection.client)
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
                .text(text: JSONWriter(sortedKeys: true).string(.object(facts)) + note, annotations: nil, _meta: nil),
            ])
        }
        return handle(toolResult(tool, result, note: note), session: session, implicit: explicit == nil)
    }

    /// A result as the client reads it: the text (the JSON, or the tool's template), and the
    /// same object as `structuredContent` where the tool declares an output schema.
    func toolResult(_ tool: CatalogueTool, _ result: JSONValue, note: String = "") -> CallTool.Result {
        // Not a `? Value(result) : nil` ternary: Value is ExpressibleByNilLiteral, and the nil
        // would become a JSON null sent as structuredContent.
        var structured: Value? = Optional.none
        if tool.structured, result.objectValue != nil { structured = Value(result) }
        return CallTool.Result(content: [.text(text: tool.answerText(result) + note, annotations: nil, _meta: nil)],
                               structuredContent: structured)
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
        return CallTool.Result(content: result.content + [.text(text: note, annotations: nil, _meta: nil)],
                               structuredContent: result.structuredContent, isError: result.isError)
    }

    static func text(_ text: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)])
    }

    static func refusal(_ text: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], isError: true)
    }

    static func failure(_ error: BusError?) -> CallTool.Result {
        let error = error ?? BusError(code: "unknown", message: "the broker answered without a result")
        var text = "Error (\(error.code)): \(error.message)"
        if error.retryable { text += "\nThis error is temporary; the call can be retried." }
        if let detail = error.detail, !detail.isEmpty { text += "\n\n\(detail)" }
        return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], isError: true)
    }
}
