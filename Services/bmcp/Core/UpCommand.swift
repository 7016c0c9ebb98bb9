import ArgumentParser
import Foundation
import ServiceKit

/// `bmcp`: the launcher and, later, installer and supervisor.
public struct BMCPCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bmcp",
        abstract: "Blender MCP v2: start, stop and inspect the system.",
        subcommands: [UpCommand.self, CallCommand.self])

    public init() {}
}

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a headless Blender with the addon and the background services; Ctrl-C stops them.")

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var events: EventBusOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var logging: LoggingOptions
    @Option(name: .customLong(Settings.addonHost.flag), help: Settings.addonHost.help)
    var addonHost: String?
    @Option(name: .customLong(Settings.addonPort.flag), help: Settings.addonPort.help)
    var addonPort: String?
    @Option(help: "Blender executable (env BLENDER; default: `blender` on PATH)")
    var blender: String?
    @Flag(help: "Do not start Blender; attach to one already running the addon at the addon host and port")
    var attach = false
    @Option(help: "Folder holding the addon's serve.py (default: Addon/ of this checkout)")
    var addon: String?

    func run() async throws {
        let logger = try logging.bootstrap(label: "bmcp")
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let rawPort = Settings.addonPort.resolve(addonPort)
        guard let port = Int(rawPort), (1...65535).contains(port) else {
            throw ValidationError("--\(Settings.addonPort.flag) must be a TCP port, got '\(rawPort)'")
        }
        let dataDirectory = URL(fileURLWithPath: data.directory).standardizedFileURL
        var environment = ProcessInfo.processInfo.environment
        environment["BMCP_BROKER_CLIENTS"] = broker.clients
        environment["BMCP_BROKER_WORKERS"] = broker.workers
        environment["BMCP_EVENTS_IN"] = events.input
        environment["BMCP_EVENTS_OUT"] = events.output
        environment["BMCP_DATA"] = dataDirectory.path
        environment["BMCP_ADDON_HOST"] = Settings.addonHost.resolve(addonHost)
        environment["BMCP_ADDON_PORT"] = String(port)
        let plan = LaunchPlan(
            binaries: binaries,
            addonDirectory: try addonDirectory(near: binaries),
            blender: attach ? nil : try findBlender(),
            addonHost: Settings.addonHost.resolve(addonHost), addonPort: port,
            dataDirectory: dataDirectory, environment: environment)
        try await ServiceRunner.run([Launcher(plan: plan, logger: logger)], logger: logger)
    }

    private func findBlender() throws -> String {
        let candidate = blender ?? ProcessInfo.processInfo.environment["BLENDER"] ?? "blender"
        if candidate.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: candidate) else {
                throw ValidationError("Blender not found at \(candidate)")
            }
            return candidate
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/\(candidate)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw ValidationError("Blender not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install blender`), pass --blender PATH, or use --attach for a Blender already running the addon.")
    }

    private func addonDirectory(near binaries: URL) throws -> URL {
        if let addon { return URL(fileURLWithPath: addon) }
        var folder = binaries
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("Addon")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("serve.py").path) { return candidate }
            folder.deleteLastPathComponent()
        }
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Addon")
        if FileManager.default.fileExists(atPath: here.appendingPathComponent("serve.py").path) { return here }
        throw ValidationError("cannot find the addon (Addon/serve.py) near \(binaries.path); pass --addon PATH")
    }
}
