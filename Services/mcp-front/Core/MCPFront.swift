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
        /// A session to work in from the start (attached, or created with this id).
        public var session: String?

        public init(brokerEndpoint: String, requestTimeout: Duration, session: String?) {
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
        let broker = try RequestClient(endpoint: configuration.brokerEndpoint)
        let server = Server(
            name: "blender-mcp", version: Self.version,
            instructions: "Model in Blender through durable, logged sessions. Start with get_scene_info.",
            capabilities: .init(tools: .init(listChanged: false)))
        let connection = ConnectionSession(client: "mcp-front/\(instanceTag())", preset: configuration.session)
        await register(on: server, broker: broker, connection: connection)
        let transport = LineStdioTransport(logger: logger)
        try await server.start(transport: transport)
        logger.info("mcp-front serving MCP on stdio as \(connection.client); broker \(configuration.brokerEndpoint)")
        await withGracefulShutdownHandler {
            await server.waitUntilCompleted()
        } onGracefulShutdown: {
            Task { await server.stop() }
        }
        // Let another client take the session over at once rather than after the lease.
        if let current = await connection.id {
            _ = try? await broker.send(.request(op: Op.sessionDetach, params: ["session_id": .string(current)],
                                                source: connection.client), timeout: .seconds(2))
        }
        await broker.shutdown()
    }

    func register(on server: Server, broker: RequestClient, connection: ConnectionSession) async {
        let tools = BlenderTools.all.map(\.definition) + SessionTools.all.map(\.tool)
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        let calls = ToolCalls(broker: broker, connection: connection, timeout: configuration.requestTimeout)
        await server.withMethodHandler(CallTool.self) { call in
            if let tool = BlenderTools.byName[call.name] {
                return await calls.scene(tool, arguments: call.arguments)
            }
            if let tool = SessionTools.byName[call.name] {
                return await calls.session(tool, arguments: call.arguments)
            }
            throw MCPError.invalidParams("unknown tool '\(call.name)'; tools are \(tools.map(\.name).joined(separator: ", "))")
        }
    }
}
