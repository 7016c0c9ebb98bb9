import BusMessages
import Foundation
import MCP

/// One tool of the catalogue: its MCP face and what runs it.
struct CatalogueTool: Sendable {
    /// Who answers a call.
    enum Runner: Sendable, Equatable {
        /// An addon op in the session's Blender (through the broker).
        case addon(op: String)
        /// A broker op of its own (the session tools).
        case broker(op: String)
        /// mcp-front itself, under this name (toolsets, the session log, the dictionary search).
        case front(String)
    }

    let name: String
    let toolset: String
    let runner: Runner
    /// Whether the tool acts in a session: `session_id` is resolved for it (the connection's
    /// current session when a client leaves the argument out, although the schema asks for it).
    let inSession: Bool
    let schema: ArgumentSchema
    /// Tool argument → op param, where the tool keeps an older name (V1's `object_name`).
    let rename: [String: String]
    /// A text template for the answer, `{field}` filled from the result's top-level fields.
    let text: String?
    /// Whether the result is a JSON object with a declared shape (then it is also sent as
    /// `structuredContent`).
    let structured: Bool
    let definition: Tool

    init(_ entry: JSONValue) throws(CatalogueError) {
        guard let name = entry["name"]?.stringValue, let toolset = entry["toolset"]?.stringValue,
              let runs = entry["runs"]?.stringValue, let input = entry["inputSchema"] else {
            throw CatalogueError(description: "a catalogue entry lacks name, toolset, runs or inputSchema: \(entry)")
        }
        self.name = name
        self.toolset = toolset
        if runs.hasPrefix("broker:") {
            runner = .broker(op: String(runs.dropFirst("broker:".count)))
        } else if runs.hasPrefix("front:") {
            runner = .front(String(runs.dropFirst("front:".count)))
        } else {
            runner = .addon(op: runs)
        }
        inSession = entry["inSession"]?.boolValue ?? false
        schema = try ArgumentSchema(tool: name, schema: input)
        rename = (entry["rename"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        text = entry["text"]?.stringValue
        let output = entry["outputSchema"]
        structured = output != nil
        let hints = entry["annotations"]
        definition = Tool(
            name: name, title: entry["title"]?.stringValue, description: entry["description"]?.stringValue,
            inputSchema: MCP.Value(input),
            annotations: .init(title: entry["title"]?.stringValue,
                               readOnlyHint: hints?["readOnlyHint"]?.boolValue,
                               destructiveHint: hints?["destructiveHint"]?.boolValue,
                               idempotentHint: hints?["idempotentHint"]?.boolValue,
                               openWorldHint: hints?["openWorldHint"]?.boolValue),
            outputSchema: output.map(MCP.Value.init))
    }

    /// The call's arguments checked against the schema. A tool acting in a session may be
    /// called without `session_id`, as older clients do: the caller resolves it then.
    func check(_ arguments: [String: JSONValue]) throws(ArgumentError) -> [String: JSONValue] {
        try schema.check(arguments, mayOmit: inSession ? ["session_id"] : [])
    }

    /// The op params for checked tool arguments: without `session_id` (the session is the
    /// request's, not a param), renamed where the tool keeps another name.
    func params(_ arguments: [String: JSONValue]) -> JSONValue {
        var params: [String: JSONValue] = [:]
        for (key, value) in arguments where !(inSession && key == "session_id") { params[rename[key] ?? key] = value }
        return .object(params)
    }

    /// The answer's text: the template filled in, else the result as compact JSON.
    func answerText(_ result: JSONValue) -> String {
        guard var text else { return JSONWriter(sortedKeys: true).string(result) }
        for (key, value) in result.objectValue ?? [:] {
            text = text.replacingOccurrences(of: "{\(key)}", with: value.stringValue ?? JSONWriter(sortedKeys: true).string(value))
        }
        return text
    }
}
