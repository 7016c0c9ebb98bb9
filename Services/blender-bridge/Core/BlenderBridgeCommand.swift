import ArgumentParser
import ServiceKit
import ServiceLifecycle

/// `blender-bridge`: keeps one Blender (through its addon) registered with the session-broker.
public struct BlenderBridgeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "blender-bridge",
        abstract: "Holds a keep-alive connection to a Blender running the addon and serves it to the session-broker.")

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var heartbeat: HeartbeatOptions
    @OptionGroup var logging: LoggingOptions

    @Option(name: .customLong(Settings.addonHost.flag), help: Settings.addonHost.help)
    var addonHost: String?
    @Option(name: .customLong(Settings.addonPort.flag), help: Settings.addonPort.help)
    var addonPort: String?
    @Option(name: .customLong(Settings.addonToken.flag), help: Settings.addonToken.help)
    var addonToken: String?
    @Option(help: "Name this bridge reports to the broker (default blender-bridge/<random>)")
    var name: String?

    public init() {}

    public func run() async throws {
        let logger = try logging.bootstrap(label: "blender-bridge")
        let rawPort = Settings.addonPort.resolve(addonPort)
        guard let port = Int(rawPort), (1...65535).contains(port) else {
            throw ValidationError("--\(Settings.addonPort.flag) must be a TCP port (1-65535), got '\(rawPort)'")
        }
        let token = Settings.addonToken.resolve(addonToken)
        let configuration = BridgeConfiguration(
            name: name ?? "blender-bridge/\(instanceTag())",
            workersEndpoint: broker.workers,
            addonHost: Settings.addonHost.resolve(addonHost), addonPort: port,
            addonToken: token.isEmpty ? nil : token, heartbeat: try heartbeat.interval())
        try await ServiceRunner.run([BlenderBridgeService(configuration: configuration)], logger: logger)
    }
}

public struct BlenderBridgeService: Service {
    let configuration: BridgeConfiguration

    public init(configuration: BridgeConfiguration) {
        self.configuration = configuration
    }

    public func run() async throws {
        let loop = try SocketLoop(name: "blender-bridge")
        let configuration = configuration
        try await loop.runUntilShutdown { loop in
            loop.keep(try BlenderBridge(loop: loop, configuration: configuration))
        }
    }
}
