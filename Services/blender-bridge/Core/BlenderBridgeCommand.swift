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
    @OptionGroup var keys: KeysOptions

    @Option(name: .customLong(Settings.addonHost.flag), help: Settings.addonHost.help)
    var addonHost: String?
    @Option(name: .customLong(Settings.addonPort.flag), help: Settings.addonPort.help)
    var addonPort: String?
    @Option(name: .customLong(Settings.addonToken.flag), help: Settings.addonToken.help)
    var addonToken: String?
    @Option(name: .customLong(Settings.addonTokenFile.flag), help: Settings.addonTokenFile.help)
    var addonTokenFile: String?
    @Option(name: .customLong("addon"), help: "A Blender to hold, as host:port of its addon; repeat for several (default: --addon-host/--addon-port)")
    var addons: [String] = []
    @Option(help: "Name this bridge reports to the broker (default blender-bridge/<random>)")
    var name: String?

    public init() {}

    public func run() async throws {
        keys.apply()
        let logger = try logging.bootstrap(label: "blender-bridge")
        let configuration = BridgeConfiguration(
            name: name ?? "blender-bridge/\(instanceTag())",
            workersEndpoint: broker.workers, addons: try addressList(),
            addonToken: try resolvedToken(), heartbeat: try heartbeat.interval())
        try await ServiceRunner.run([BlenderBridgeService(configuration: configuration)], logger: logger)
    }
}

extension BlenderBridgeCommand {
    /// BMCP_ADDON_TOKEN (or the flag, which `ps` shows: prefer the environment), else the token
    /// file the GUI addon made, else none (an addon without a token, loopback only).
    func resolvedToken() throws -> String? {
        if let explicit = Settings.addonToken.explicit(addonToken) { return explicit }
        let path = Settings.addonTokenFile.resolve(addonTokenFile)
        do {
            return try SecretFile.read(path)
        } catch {
            throw ValidationError("addon token file: \(error)")
        }
    }

    func addressList() throws -> [(host: String, port: Int)] {
        func port(_ raw: String, _ source: String) throws -> Int {
            guard let port = Int(raw), (1...65535).contains(port) else {
                throw ValidationError("\(source) must name a TCP port (1-65535), got '\(raw)'")
            }
            return port
        }
        guard !addons.isEmpty else {
            return [(Settings.addonHost.resolve(addonHost), try port(Settings.addonPort.resolve(addonPort), "--\(Settings.addonPort.flag)"))]
        }
        return try addons.map { address in
            guard let colon = address.lastIndex(of: ":"), colon != address.startIndex else {
                throw ValidationError("--addon must be host:port, got '\(address)'")
            }
            return (String(address[..<colon]), try port(String(address[address.index(after: colon)...]), "--addon \(address)"))
        }
    }
}

public struct BlenderBridgeService: Service, CustomStringConvertible {
    let configuration: BridgeConfiguration

    /// What swift-service-lifecycle logs: never the configuration, which holds the addon token.
    public var description: String { "BlenderBridgeService(\(configuration.name))" }

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
