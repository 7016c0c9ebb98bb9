import ArgumentParser
import Foundation
import ServiceKit

/// `mcp-front`: the MCP server an MCP client starts (stdio).
public struct MCPFrontCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mcp-front",
        abstract: "The Blender MCP v2 server. MCP clients start it and speak MCP on its stdin/stdout; with --http it serves MCP over Streamable HTTP, the HTTP API and the dashboard instead. Logs go to stderr.")

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var events: EventBusOptions
    @Option(name: .customLong(Settings.logs.flag), help: Settings.logs.help)
    var logs: String?
    @Option(name: .customLong(Settings.prompts.flag), help: Settings.prompts.help)
    var prompts: String?
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var keys: KeysOptions
    @Option(name: .customLong(Settings.requestTimeout.flag), help: Settings.requestTimeout.help)
    var requestTimeout: String?
    @Option(help: "Session to work in from the start: attached, or created with this id (default: a new session on first use)")
    var session: String?
    @Option(name: .customLong(Settings.http.flag), help: Settings.http.help)
    var http: String?
    @Option(name: .customLong(Settings.token.flag), help: Settings.token.help)
    var token: String?
    @Option(name: .customLong(Settings.trustedNetwork.flag), help: Settings.trustedNetwork.help)
    var trustedNetwork: String?
    @Option(name: .customLong(Settings.allowedOrigins.flag), help: Settings.allowedOrigins.help)
    var allowedOrigins: String?
    @Option(name: .customLong(Settings.httpMaxBody.flag), help: Settings.httpMaxBody.help)
    var httpMaxBody: String?
    @Option(name: .customLong(Settings.tokenFile.flag), help: Settings.tokenFile.help)
    var tokenFile: String?
    @Option(name: .customLong(Settings.httpAuth.flag), help: Settings.httpAuth.help)
    var httpAuth: String?
    @Option(name: .customLong(Settings.allowedHosts.flag), help: Settings.allowedHosts.help)
    var allowedHosts: String?

    public init() {}

    public func run() async throws {
        keys.apply()
        let logger = try logging.bootstrap(label: "mcp-front")
        let configuration = MCPFront.Configuration(
            brokerEndpoint: broker.clients, logsEndpoint: Settings.logs.resolve(logs),
            promptsEndpoint: Settings.prompts.resolve(prompts), eventsOutEndpoint: events.output,
            requestTimeout: try Settings.requestTimeout.seconds(requestTimeout),
            session: session, http: try httpSettings())
        try await ServiceRunner.run([MCPFront(configuration: configuration, logger: logger)], logger: logger)
    }

    /// The token HTTP clients must send: --token / BMCP_TOKEN, else the token file (made on
    /// first use, 0600); nil only with `--http-auth off`.
    func httpToken() throws -> String? {
        switch Settings.httpAuth.resolve(httpAuth) {
        case "off": return nil
        case "token": break
        case let other: throw ValidationError("--\(Settings.httpAuth.flag) must be token or off, got '\(other)'")
        }
        if let explicit = Settings.token.explicit(token) { return explicit }
        let path = Settings.tokenFilePath(flag: tokenFile)
        do {
            return try SecretFile.loadOrCreate(path)
        } catch {
            throw ValidationError("HTTP token file: \(error)")
        }
    }

    /// HTTP settings when --http or BMCP_HTTP asks for HTTP; nil means stdio.
    func httpSettings() throws -> HTTPFront.Settings? {
        guard let address = Settings.http.explicit(http) else { return nil }
        let rawLimit = Settings.httpMaxBody.resolve(httpMaxBody)
        guard let limit = Int(rawLimit), limit > 0 else {
            throw ValidationError("--\(Settings.httpMaxBody.flag) must be a positive number of bytes, got '\(rawLimit)'")
        }
        let trusted = Settings.trustedNetwork.resolve(trustedNetwork)
        guard trusted == "0" || trusted == "1" else {
            throw ValidationError("--\(Settings.trustedNetwork.flag) must be 0 or 1, got '\(trusted)'")
        }
        func list(_ raw: String) -> Set<String> {
            Set(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        do {
            var settings = try HTTPFront.Settings(address: address, token: try httpToken(),
                                                  allowedOrigins: list(Settings.allowedOrigins.resolve(allowedOrigins)),
                                                  allowedHosts: list(Settings.allowedHosts.resolve(allowedHosts)), maxBody: limit,
                                                  trustedNetwork: trusted == "1")
            settings.maxSessions = try Settings.httpSessions.count(nil, in: 1...100_000)
            settings.maxStreams = try Settings.sseStreams.count(nil, in: 1...100_000)
            settings.replayBytes = try Settings.sseReplayBytes.count(nil, in: 0...1_073_741_824)
            settings.streamQueueBytes = try Settings.sseQueueBytes.count(nil, in: 1024...1_073_741_824)
            _ = try Settings.listPage.count(nil, in: 1...10_000)  // read by SessionResources
            return settings
        } catch let error as HTTPFront.SettingsError {
            throw ValidationError(error.description)
        }
    }
}
