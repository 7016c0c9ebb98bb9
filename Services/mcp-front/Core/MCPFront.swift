import BusMessages
import Foundation
import Logging
import MCP
import ServiceKit
import ServiceLifecycle

/// The MCP server: tools become broker requests, answers become tool results.
public struct MCPFront: Service {
    public struct Configuration: Sendable {
        public var brokerEndpoint: String
        public var requestTimeout: Duration
        /// The session this connection works in until the session tools exist.
        public var session: String

        public init(brokerEndpoint: String, requestTimeout: Duration, session: String) {
            self.brokerEndpoint = brokerEndpoint
            self.requestTimeout = requestTimeout
            self.session = session
        }
    }

    static let version = "2.0.0-dev"

    let configuration: Configuration
    let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let broker = try BrokerClient(endpoint: configuration.brokerEndpoint)
        let server = Server(
            name: "blender-mcp", version: Self.version,
            instructions: "Model in Blender through durable, logged sessions. Start with get_scene_info.",
            capabilities: .init(tools: .init(listChanged: false)))
        await register(on: server, broker: broker)
        let transport = LineStdioTransport(logger: logger)
        try await server.start(transport: transport)
        logger.info("mcp-front serving MCP on stdio; session \(configuration.session); broker \(configuration.brokerEndpoint)")
        await withGracefulShutdownHandler {
            await server.waitUntilCompleted()
        } onGracefulShutdown: {
            Task { await server.stop() }
        }
        await broker.shutdown()
    }

    func register(on server: Server, broker: BrokerClient) async {
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: BlenderTools.all.map(\.definition))
        }
        let configuration = configuration
        await server.withMethodHandler(CallTool.self) { call in
            guard let tool = BlenderTools.byName[call.name] else {
                throw MCPError.invalidParams("unknown tool '\(call.name)'; tools are \(BlenderTools.all.map(\.name).joined(separator: ", "))")
            }
            return await Self.call(tool, arguments: call.arguments, broker: broker, configuration: configuration)
        }
    }

    /// Runs one tool. Bad arguments and Blender's own errors are tool errors (`isError`), as
    /// the MCP spec asks, so the model sees them and can correct itself.
    static func call(_ tool: BlenderTool, arguments: [String: Value]?, broker: BrokerClient,
                     configuration: Configuration) async -> CallTool.Result {
        let checked: [String: JSONValue]
        do {
            checked = try tool.parameters.validate(arguments, tool: tool.name)
        } catch {
            return CallTool.Result(content: [.text(text: error.description, annotations: nil, _meta: nil)], isError: true)
        }
        let request = Envelope.request(op: tool.op, session: configuration.session, params: tool.params(checked), source: "mcp-front")
        do {
            let answer = try await broker.send(request, timeout: configuration.requestTimeout)
            if answer.kind == .reply {
                return CallTool.Result(content: [.text(text: tool.format(answer.result ?? .null), annotations: nil, _meta: nil)])
            }
            return failure(answer.error ?? BusError(code: "unknown", message: "the broker answered without a result"))
        } catch let error as BusError {
            return failure(error)
        } catch {
            return failure(BusError(code: "internal", message: "\(error)"))
        }
    }

    static func failure(_ error: BusError) -> CallTool.Result {
        var text = "Error (\(error.code)): \(error.message)"
        if error.retryable { text += "\nThis error is temporary; the call can be retried." }
        if let detail = error.detail, !detail.isEmpty { text += "\n\n\(detail)" }
        return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], isError: true)
    }
}
