import ArgumentParser
import Foundation
import ServiceKit

/// `mcp-front`: the MCP server an MCP client starts (stdio).
public struct MCPFrontCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mcp-front",
        abstract: "The Blender MCP v2 server. MCP clients start it and speak MCP on its stdin/stdout; logs go to stderr.")

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var logging: LoggingOptions
    @Option(name: .customLong(Settings.requestTimeout.flag), help: Settings.requestTimeout.help)
    var requestTimeout: String?
    @Option(help: "Session id to work in (default: a new one per connection)")
    var session: String?

    public init() {}

    public func run() async throws {
        let logger = try logging.bootstrap(label: "mcp-front")
        let rawTimeout = Settings.requestTimeout.resolve(requestTimeout)
        guard let seconds = Double(rawTimeout), seconds > 0 else {
            throw ValidationError("--\(Settings.requestTimeout.flag) must be a positive number of seconds, got '\(rawTimeout)'")
        }
        let configuration = MCPFront.Configuration(
            brokerEndpoint: broker.clients,
            requestTimeout: .milliseconds(Int(seconds * 1000)),
            session: session ?? "s-" + String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)))
        try await ServiceRunner.run([MCPFront(configuration: configuration, logger: logger)], logger: logger)
    }
}
