import BusMessages
import Foundation
import MCP

/// Answers the requests a modelling session is made of, `tools/call` and `ping`, straight from
/// the stdio line with the bus's own JSON parser and writer.
///
/// Why: the SDK's `Server` (0.12.1) tries each message as a batch, a response and a request
/// with Foundation's `JSONDecoder`, runs a freshly built regex over every decoded string
/// (data-URL detection), and encodes each result only to decode it again. Measured with perf,
/// that was 1.36 ms of CPU per tool call, more than broker, bridge and log-writer together.
///
/// Everything else (initialize, the lists, resources, prompts, completion, batches, anything
/// malformed or unusual) still goes to the SDK, which stays the judge of the protocol; so does
/// a `tools/call` before the client's `notifications/initialized`.
final class DirectRequests: Sendable {
    private let calls: ToolCalls
    private let server: Server
    private let transport: LineStdioTransport
    /// Shared by the reader thread and the tool-call tasks.
    private let state = Guarded(State())

    private struct State {
        var initialized = false
        /// Tool calls in flight by JSON-RPC id, so `notifications/cancelled` can stop them.
        var running: [JSONValue: Task<Void, Never>] = [:]
    }

    init(calls: ToolCalls, server: Server, transport: LineStdioTransport) {
        self.calls = calls
        self.server = server
        self.transport = transport
    }

    /// Takes `line` if it is a request answered here; false hands it on to the SDK.
    /// Called on the transport's reader thread, so it only parses and starts work.
    func take(_ line: Data) -> Bool {
        guard case .object(let message)? = try? JSONParser.parse(line),
              message["jsonrpc"] == "2.0", let method = message["method"]?.stringValue else { return false }
        switch method {
        case "ping":
            guard let id = Self.requestID(message["id"]) else { return false }
            respond(["jsonrpc": "2.0", "id": id, "result": [:]])
            return true
        case "tools/call":
            guard let id = Self.requestID(message["id"]), state.withLock({ $0.initialized }),
                  case .object(let params)? = message["params"], let name = params["name"]?.stringValue else { return false }
            let arguments: [String: MCP.Value]?
            switch params["arguments"] {
            case nil, .null?: arguments = nil
            case .object(let object)?: arguments = object.mapValues(MCP.Value.init)
            default: return false  // the SDK names the type error
            }
            start(id: id, name: name, arguments: arguments, token: Self.progressToken(params["_meta"]?["progressToken"]))
            return true
        case "notifications/initialized":
            state.withLock { $0.initialized = true }
            return false  // the SDK keeps its own state too
        case "notifications/cancelled":
            guard let target = message["params"]?["requestId"],
                  let task = state.withLock({ $0.running.removeValue(forKey: target) }) else { return false }
            task.cancel()
            return true
        default:
            return false
        }
    }

    private func start(id: JSONValue, name: String, arguments: [String: MCP.Value]?, token: ProgressToken?) {
        let calls = calls
        let server = server
        let transport = transport
        state.withLock { locked in
            // Inserted under the lock the task also takes when it ends, so it can't end first.
            locked.running[id] = Task { [self] in
                let response: JSONValue
                do {
                    let result = try await calls.call(name, arguments: arguments, progress: ToolProgress(server: server, token: token))
                    response = ["jsonrpc": "2.0", "id": id, "result": JSONValue(toolResult: result)]
                } catch {
                    response = ["jsonrpc": "2.0", "id": id, "error": Self.errorJSON(error)]
                }
                // A cancelled request gets no response (MCP spec, cancellation).
                guard state.withLock({ $0.running.removeValue(forKey: id) }) != nil, !Task.isCancelled else { return }
                try? await transport.send(Data(JSONWriter().bytes(response)))
            }
        }
    }

    /// For answers made on the reader thread, which must not wait on the transport actor.
    private func respond(_ response: JSONValue) {
        let transport = transport
        let data = Data(JSONWriter().bytes(response))
        Task { try? await transport.send(data) }
    }

    /// JSON-RPC ids are strings or integers (MCP forbids null); anything else goes to the SDK.
    private static func requestID(_ id: JSONValue?) -> JSONValue? {
        switch id {
        case .string?, .int?: id
        default: nil
        }
    }

    private static func progressToken(_ token: JSONValue?) -> ProgressToken? {
        switch token {
        case .string(let s)?: .string(s)
        case .int(let i)?: .integer(Int(i))
        default: nil
        }
    }

    /// The JSON-RPC error object, as the SDK would write it (rare, so its encoder is fine).
    private static func errorJSON(_ error: Error) -> JSONValue {
        let mcpError = error as? MCPError ?? MCPError.internalError(error.localizedDescription)
        guard let data = try? JSONEncoder().encode(mcpError), let json = try? JSONParser.parse(data) else {
            return ["code": .int(Int64(mcpError.code)), "message": .string("\(mcpError)")]
        }
        return json
    }
}

extension JSONValue {
    /// A tool result as MCP's JSON. Text and image blocks, all our tools make, are written
    /// here; anything else goes through the SDK's encoder so no field is lost.
    init(toolResult result: CallTool.Result) {
        var blocks: [JSONValue] = []
        for block in result.content {
            switch block {
            case .text(let text, nil, nil):
                blocks.append(["type": "text", "text": .string(text)])
            case .image(let data, let mimeType, nil, nil):
                blocks.append(["type": "image", "data": .string(data), "mimeType": .string(mimeType)])
            default:
                guard let data = try? JSONEncoder().encode(block), let json = try? JSONParser.parse(data) else { continue }
                blocks.append(json)
            }
        }
        var object: [String: JSONValue] = ["content": .array(blocks)]
        if let structured = result.structuredContent { object["structuredContent"] = JSONValue(structured) }
        if let isError = result.isError { object["isError"] = .bool(isError) }
        if let meta = result._meta, let data = try? JSONEncoder().encode(meta), let json = try? JSONParser.parse(data) {
            object["_meta"] = json
        }
        self = .object(object)
    }
}

/// A value behind a lock (`Synchronization.Mutex` needs macOS 15; the package supports 14).
private final class Guarded<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
