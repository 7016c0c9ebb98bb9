import BusMessages
import Foundation
import Logging
import MCP
import ServiceKit

/// What every MCP connection of this process shares: the query sockets to the broker,
/// log-writer and prompt-service, and the event bus. Each connection (the one stdio
/// client, or each Streamable HTTP session) gets its own `Server` from `makeServer`, with
/// its own current session and resource subscriptions.
final class MCPBackend: Sendable {
    let broker: RequestClient
    let logs: RequestClient
    let prompts: RequestClient
    let bus: BusWatcher
    let requestTimeout: Duration
    let listeners = LiveListeners()
    /// Resource lists and reads for 2026-07-28 requests, which subscribe to nothing.
    let resources: SessionResources
    private let relay: Task<Void, Never>

    init(configuration: MCPFront.Configuration) throws {
        broker = try RequestClient(endpoint: configuration.brokerEndpoint)
        logs = try RequestClient(endpoint: configuration.logsEndpoint, peer: "log-writer")
        prompts = try RequestClient(endpoint: configuration.promptsEndpoint, peer: "prompt-service")
        // Over stdio only prompt-service's events are read, and a session's while one of its
        // resources is subscribed, so the front is not woken by every command's event or the
        // broker's heartbeat head. Over HTTP the dashboard's /api/events shows them all.
        let prompts = EventPublisher.topic(session: nil, source: "prompt-service")
        bus = try BusWatcher(endpoint: configuration.eventsOutEndpoint,
                             prefixes: configuration.http == nil ? [prompts] : ["session/", "service/"])
        requestTimeout = configuration.requestTimeout
        resources = SessionResources(logs: logs, timeout: .seconds(10))
        relay = Task { [listeners, bus] in await listeners.relay(bus.events(names: [EventName.logUpdated, EventName.promptsChanged])) }
    }

    /// The tool calls of one connection working in `connection`'s current session.
    func toolCalls(for connection: ConnectionSession) -> ToolCalls {
        ToolCalls(broker: broker, logs: logs, connection: connection, timeout: requestTimeout,
                  prompts: ArchitecturePrompts(prompts: prompts, timeout: .seconds(10)))
    }

    /// A new MCP server for one connection, registered for bus notifications until `retire`.
    func makeServer(connection: ConnectionSession) async -> Server {
        let server = Server(
            name: "blender-mcp", version: MCPFront.version,
            instructions: "Model in Blender through durable, logged sessions. Start with get_scene_info; list_toolsets and enable_toolset bring more tools (modeling, nodes, animation, cameras and lights, import, physics, analysis, architecture); architecture prompts give real dimensions.",
            capabilities: .init(
                completions: .init(),
                prompts: .init(listChanged: true),
                resources: .init(subscribe: true, listChanged: false),
                tools: .init(listChanged: true)))
        let resources = SessionResources(logs: logs, timeout: .seconds(10), bus: bus)
        await MCPHandlers(calls: toolCalls(for: connection), resources: resources).register(on: server)
        await listeners.add(HandshakeListener(server: server, resources: resources))
        return server
    }

    /// Forgets `server` and lets another client take its session over at once rather than
    /// after the lease.
    func retire(_ server: Server, connection: ConnectionSession) async {
        await listeners.remove(ObjectIdentifier(server))
        if let current = await connection.id {
            _ = try? await broker.send(.request(op: Op.sessionDetach, params: ["session_id": .string(current)],
                                                source: connection.client), timeout: .seconds(2))
        }
    }

    func shutdown() async {
        relay.cancel()
        await bus.shutdown()
        for client in [broker, logs, prompts] { await client.shutdown() }
    }
}
