import ArgumentParser
import Foundation
import ServiceKit

/// `mcp-front`: the MCP server an MCP client starts (stdio).
public struct MCPFrontCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mcp-front",
        abstract: "The Blender MCP v2 server. MCP clients start it and speak MCP on its stdin/stdout; logs go to stderr.")

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var events: EventBusOptions
    @Option(name: .customLong(Settings.logs.flag), help: Settings.logs.help)
    var logs: String?
    @Option(name: .customLong(Settings.prompts.flag), help: Settings.prompts.help)
    var prompts: String?
    @OptionGroup var logging: LoggingOptions
    @Option(name: .customLong(Settings.requestTimeout.flag), help: Settings.requestTimeout.help)
    var requestTimeout: String?
    @Option(help: "Session to work in from the start: attached, or created with this id (default: a new session on first use)")
    var session: String?

    public init() {}

    public func run() async throws {
        let logger = try logging.bootstrap(label: "mcp-front")
        let configuration = MCPFront.Configuration(
            brokerEndpoint: broker.clients, logsEndpoint: Settings.logs.resolve(logs),
            promptsEndpoint: Settings.prompts.resolve(prompts), eventsOutEndpoint: events.output,
            requestTimeout: try Settings.requestTimeout.seconds(requestTimeout),
            session: session)
        try await ServiceRunner.run([MCPFront(configuration: configuration, logger: logger)], logger: logger)
    }
}
