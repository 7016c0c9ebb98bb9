import ArgumentParser
import Foundation
import ServiceKit
import ServiceLifecycle

/// `session-broker`: routes MCP requests to Blender bridges and hosts the event proxy.
public struct SessionBrokerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "session-broker",
        abstract: "Routes commands from mcp-front to blender-bridges (Majordomo-style) and hosts the event bus proxy.")

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var events: EventBusOptions
    @OptionGroup var heartbeat: HeartbeatOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var keys: KeysOptions
    @OptionGroup var data: DataOptions
    @Option(name: .customLong(Settings.sessionIdle.flag), help: Settings.sessionIdle.help)
    var sessionIdle: String?
    @Option(name: .customLong(Settings.sessionLease.flag), help: Settings.sessionLease.help)
    var sessionLease: String?
    @Option(name: .customLong(Settings.makeKeys.flag), help: Settings.makeKeys.help)
    var makeKeys: String?
    @Option(name: .customLong(Settings.durability.flag), help: Settings.durability.help)
    var durability: String?

    public init() {}

    public func run() async throws {
        keys.apply()
        let logger = try logging.bootstrap(label: "session-broker")
        if Settings.makeKeys.resolve(makeKeys) == "1" {
            let folder = Settings.keysDirectory()
            for path in try BusKeys(directory: folder).createMissing(clientName: "containers") { logger.notice("made \(path)") }
        }
        let durable: Bool
        switch Settings.durability.resolve(durability) {
        case "fast": durable = false
        case "safe": durable = true
        case let other: throw ValidationError("--\(Settings.durability.flag) must be fast or safe, got '\(other)'")
        }
        var configuration = BrokerConfiguration(
            clientsEndpoint: broker.clients, workersEndpoint: broker.workers,
            eventsInEndpoint: events.input, eventsOutEndpoint: events.output,
            heartbeat: try heartbeat.interval(),
            dataDirectory: URL(fileURLWithPath: data.directory).standardizedFileURL,
            idleTimeout: try Settings.sessionIdle.seconds(sessionIdle),
            ownerLease: try Settings.sessionLease.seconds(sessionLease), durableJournal: durable)
        configuration.historyEvents = try Settings.eventHistoryEvents.count(nil, in: 1...10_000_000)
        configuration.historyBytes = try Settings.eventHistoryBytes.count(nil, in: 65_536...Int(Int32.max))
        try await ServiceRunner.run([SessionBrokerService(configuration: configuration)], logger: logger)
    }
}

public struct SessionBrokerService: Service {
    let configuration: BrokerConfiguration

    public init(configuration: BrokerConfiguration) {
        self.configuration = configuration
    }

    public func run() async throws {
        let loop = try SocketLoop(name: "session-broker")
        let configuration = configuration
        try await loop.runUntilShutdown { loop in
            loop.keep(try SessionBroker(loop: loop, configuration: configuration))
        }
    }
}
