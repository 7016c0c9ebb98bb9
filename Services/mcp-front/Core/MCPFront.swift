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
        public var logsEndpoint: String
        public var promptsEndpoint: String
        public var eventsOutEndpoint: String
        public var requestTimeout: Duration
        /// A session to work in from the start (attached, or created with this id).
        public var session: String?

        public init(brokerEndpoint: String, logsEndpoint: String, promptsEndpoint: String, eventsOutEndpoint: String,
                    requestTimeout: Duration, session: String?) {
            self.brokerEndpoint = brokerEndpoint
            self.logsEndpoint = logsEndpoint
            self.promptsEndpoint = promptsEndpoint
            self.eventsOutEndpoint = eventsOutEndpoint
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
        let logs = try RequestClient(endpoint: configuration.logsEndpoint, peer: "log-writer")
        let prompts = try RequestClient(endpoint: configuration.promptsEndpoint, peer: "prompt-service")
        let bus = try BusWatcher(endpoint: configuration.eventsOutEndpoint, prefixes: ["session/", "service/prompt-service"],
                                 names: [EventName.logUpdated, EventName.promptsChanged])
        let server = Server(
            name: "blender-mcp", version: Self.version,
            instructions: "Model in Blender through durable, logged sessions. Start with get_scene_info; architecture prompts give real dimensions.",
            capabilities: .init(
                completions: .init(),
                prompts: .init(listChanged: true),
                resources: .init(subscribe: true, listChanged: false),
                tools: .init(listChanged: false)))
        let connection = ConnectionSession(client: "mcp-front/\(instanceTag())", preset: configuration.session)
        let resources = SessionResources(logs: logs, timeout: .seconds(10))
        let calls = ToolCalls(broker: broker, logs: logs, connection: connection, timeout: configuration.requestTimeout,
                              prompts: ArchitecturePrompts(prompts: prompts, timeout: .seconds(10)))
        await register(on: server, calls: calls, resources: resources)
        let relay = Task { await Self.relay(bus.events, to: server, resources: resources) }
        try await server.start(transport: LineStdioTransport(logger: logger))
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
        relay.cancel()
        await bus.shutdown()
        for client in [broker, logs, prompts] { await client.shutdown() }
    }

    func register(on server: Server, calls: ToolCalls, resources: SessionResources) async {
        let tools = BlenderTools.scene.map(\.definition) + SessionTools.all.map(\.tool) + ToolCalls.extraTools
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { call in
            if let tool = BlenderTools.byName[call.name] { return await calls.scene(tool, arguments: call.arguments) }
            if let tool = SessionTools.byName[call.name] { return await calls.session(tool, arguments: call.arguments) }
            if let result = await calls.extra(call.name, arguments: call.arguments) { return result }
            throw MCPError.invalidParams("unknown tool '\(call.name)'; tools are \(tools.map(\.name).joined(separator: ", "))")
        }
        await server.withMethodHandler(ListResources.self) { params in try await resources.list(cursor: params.cursor) }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: SessionResources.templates)
        }
        await server.withMethodHandler(ReadResource.self) { params in try await resources.read(params.uri) }
        await server.withMethodHandler(ResourceSubscribe.self) { params in
            try await resources.subscribe(params.uri)
            return Empty()
        }
        await server.withMethodHandler(ResourceUnsubscribe.self) { params in
            await resources.unsubscribe(params.uri)
            return Empty()
        }
        await server.withMethodHandler(ListPrompts.self) { _ in try await calls.prompts.list() }
        await server.withMethodHandler(GetPrompt.self) { params in try await calls.prompts.get(params.name, arguments: params.arguments) }
        await server.withMethodHandler(Complete.self) { params in try await calls.prompts.complete(params) }
    }

    /// Bus events become MCP notifications: a subscribed session file changed, the prompt
    /// dictionary was reloaded.
    static func relay(_ events: AsyncStream<Envelope>, to server: Server, resources: SessionResources) async {
        for await event in events {
            switch event.op {
            case EventName.logUpdated:
                guard let session = event.session, let file = event.params?["file"]?.stringValue,
                      let uri = await resources.updated(session: session, file: file) else { continue }
                try? await server.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
            case EventName.promptsChanged:
                try? await server.notify(PromptListChangedNotification.message())
            default:
                break
            }
        }
    }
}
