import BusMessages
import Foundation
import Logging
import MCP
import ServiceKit
import ServiceLifecycle

/// The MCP server: tools become broker requests, answers become tool results. Over stdio it
/// serves the one client that started it; with `http` set it serves Streamable HTTP at `/mcp`
/// (one MCP server per MCP session), the HTTP API and the dashboard instead.
public struct MCPFront: Service, CustomStringConvertible {
    /// What swift-service-lifecycle logs: never the configuration, which holds the HTTP token.
    public var description: String { "MCPFront(\(configuration.http.map { "http \($0.host):\($0.port)" } ?? "stdio"))" }

    public struct Configuration: Sendable {
        public var brokerEndpoint: String
        public var logsEndpoint: String
        public var promptsEndpoint: String
        public var eventsOutEndpoint: String
        public var requestTimeout: Duration
        /// A session to work in from the start (attached, or created with this id).
        public var session: String?
        /// Serve HTTP rather than stdio.
        public var http: HTTPFront.Settings?

        public init(brokerEndpoint: String, logsEndpoint: String, promptsEndpoint: String, eventsOutEndpoint: String,
                    requestTimeout: Duration, session: String?, http: HTTPFront.Settings? = nil) {
            self.brokerEndpoint = brokerEndpoint
            self.logsEndpoint = logsEndpoint
            self.promptsEndpoint = promptsEndpoint
            self.eventsOutEndpoint = eventsOutEndpoint
            self.requestTimeout = requestTimeout
            self.session = session
            self.http = http
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
        let backend = try MCPBackend(configuration: configuration)
        do {
            if let http = configuration.http {
                try await HTTPFront(settings: http, backend: backend, logger: logger).run()
            } else {
                try await serveStdio(backend)
            }
        } catch {
            await backend.shutdown()
            throw error
        }
        await backend.shutdown()
    }

    private func serveStdio(_ backend: MCPBackend) async throws {
        let connection = ConnectionSession(client: "mcp-front/\(instanceTag())", preset: configuration.session)
        let server = await backend.makeServer(connection: connection)
        let transport = LineStdioTransport(logger: logger)
        let direct = DirectRequests(calls: backend.toolCalls(for: connection), modern: ModernRequests(backend: backend),
                                    server: server, transport: transport)
        await transport.intercept(direct.take)
        try await server.start(transport: transport)
        logger.info("mcp-front serving MCP on stdio as \(connection.client); broker \(configuration.brokerEndpoint)")
        await withGracefulShutdownHandler {
            await server.waitUntilCompleted()
        } onGracefulShutdown: {
            Task { await server.stop() }
        }
        await backend.retire(server, connection: connection)
    }
}
