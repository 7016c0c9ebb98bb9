import BusMessages
import Foundation
import MCP

/// Answers, straight from the stdio line with the bus's own JSON parser and writer, every
/// MCP 2026-07-28 request (`ModernRequests`), and at the handshake era the requests a
/// modelling session is made of, `tools/call` and `ping`.
///
/// Why: the SDK's `Server` (0.12.1) tries each message as a batch, a response and a request
/// with Foundation's `JSONDecoder`, runs a freshly built regex over every decoded string
/// (data-URL detection), and encodes each result only to decode it again. Measured with perf,
/// that was 1.36 ms of CPU per tool call, more than broker, bridge and log-writer together.
///
/// Everything else at the handshake era (initialize, the lists, resources, prompts, completion, batches, anything
/// malformed or unusual) still goes to the SDK, which stays the judge of the protocol; so does
/// a `tools/call` before the client's `notifications/initialized`.
final class DirectRequests: Sendable {
    private let calls: ToolCalls
    private let modern: ModernRequests
    private let server: Server
    private let transport: LineStdioTransport
    /// Shared by the reader thread and the tool-call tasks.
    private let state = Guarded(State())

    private struct State {
        var initialized = false
        /// Tool calls and listen streams in flight by JSON-RPC id, so `notifications/cancelled`
        /// can stop them.
        var running: [JSONValue: Task<Void, Never>] = [:]
    }

    init(calls: ToolCalls, modern: ModernRequests, server: Server, transport: LineStdioTransport) {
        self.calls = calls
        self.modern = modern
        self.server = server
        self.transport = transport
    }

    /// Takes `line` if it is a request answered here; false hands it on to the SDK.
    /// Called on the transport's reader thread, so it only parses and starts work.
    func take(_ line: Data) -> Bool {
        guard case .object(let message)? = try? JSONParser.parse(line),
              message["jsonrpc"] == "2.0", let method = message["method"]?.stringValue else { return false }
        if ModernProtocol.isModern(message), message["id"] != nil {
            startModern(message)
            return true
        }
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
        run(id: id) {
            do {
                let result = try await calls.call(name, arguments: arguments, progress: ToolProgress(server: server, token: token))
                return ["jsonrpc": "2.0", "id": id, "result": MCPResultEncoder.tool(result)]
            } catch {
                let (code, message) = MCPResultEncoder.errorObject(error)
                return MCPResultEncoder.error(id: id, code: code, message: message)
            }
        }
    }

    /// A 2026-07-28 request: on its own task, its notifications written as they come. Every
    /// stdio request of that era comes from the one client that started this process, so that
    /// process's identity is the caller.
    private func startModern(_ message: [String: JSONValue]) {
        let modern = modern
        let transport = transport
        let caller = calls.connection.client
        let id = message["id"] ?? .null
        run(id: id) {
            await modern.answer(message, headers: nil, caller: caller) { notification in
                try? await transport.send(Data(JSONWriter().bytes(notification)))
            }
        }
    }

    /// Runs `work` as the request `id`, cancellable by `notifications/cancelled`, and writes
    /// its response unless it was cancelled (MCP spec, cancellation: no response then).
    private func run(id: JSONValue, _ work: @escaping @Sendable () async -> JSONValue?) {
        let transport = transport
        state.withLock { locked in
            // Inserted under the lock the task also takes when it ends, so it can't end first.
            locked.running[id] = Task { [self] in
                let response = await work()
                guard state.withLock({ $0.running.removeValue(forKey: id) }) != nil, !Task.isCancelled, let response else { return }
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
