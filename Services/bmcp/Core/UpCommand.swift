import ArgumentParser
import Foundation
import ServiceKit

/// `bmcp up`: the supervisor.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start headless Blenders with the addon and every service, keep them running; Ctrl-C or `bmcp down` stops them.")

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var events: EventBusOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var keys: KeysOptions
    @Option(name: .customLong(Settings.addonHost.flag), help: Settings.addonHost.help)
    var addonHost: String?
    @Option(name: .customLong(Settings.addonPort.flag), help: "First addon port; Blender i listens on port + i (env BMCP_ADDON_PORT; default 9876)")
    var addonPort: String?
    @Option(help: "How many headless Blenders to start (default 1, or 0 with --attach)")
    var blenders: Int?
    @Option(help: "How many blender-bridges share the Blenders")
    var bridges: Int = 1
    @Option(name: .customLong("attach"), help: "A Blender already running the addon (GUI or not), as host:port; repeatable. Bare `--attach` (or `--attach auto`): every GUI Blender whose addon announced itself in the run folder")
    var attached: [String] = []
    @Option(help: "Blender executable (env BLENDER; default: `blender` on PATH)")
    var blender: String?
    @Option(help: "Folder holding the addon's serve.py (default: Addon/ of this checkout)")
    var addon: String?
    @Option(name: .customLong(Settings.http.flag),
            help: "Where mcp-front serves MCP over Streamable HTTP (/mcp), the HTTP API and the dashboard (env BMCP_HTTP; default 127.0.0.1:8765)")
    var http: String?
    @Flag(name: .customLong("no-http"), help: "Do not run mcp-front over HTTP (stdio clients still start their own)")
    var noHTTP = false

    /// Attaching to your own Blender starts no headless one unless asked: the default headless
    /// Blender would take the same port as the GUI addon.
    var headlessBlenders: Int { blenders ?? (attached.isEmpty ? 1 : 0) }

    func validate() throws {
        guard headlessBlenders >= 0, headlessBlenders <= 64 else { throw ValidationError("--blenders must be 0…64, got \(headlessBlenders)") }
        guard bridges >= 1, bridges <= 64 else { throw ValidationError("--bridges must be 1…64, got \(bridges)") }
        guard headlessBlenders + attached.count > 0 else { throw ValidationError("nothing to serve: give --blenders 1 or more, or --attach host:port") }
    }

    func run() async throws {
        keys.apply()
        let logger = try logging.bootstrap(label: "bmcp")
        let binaries = Installation.binaries
        let rawPort = Settings.addonPort.resolve(addonPort)
        guard let port = Int(rawPort), (1...65535).contains(port) else {
            throw ValidationError("--\(Settings.addonPort.flag) must be a TCP port, got '\(rawPort)'")
        }
        let run = RunDirectory(data: URL(fileURLWithPath: data.directory).standardizedFileURL)
        if let pid = run.readPID(run.supervisorPID), RunDirectory.isAlive(pid) {
            throw ValidationError("bmcp is already up (pid \(pid)) for \(run.data.path); `bmcp down` stops it")
        }
        try run.create()
        let runFolder = Settings.runDirectory.resolve(nil)
        do {
            try PrivateDirectory.prepare(runFolder)
        } catch {
            throw ValidationError("run folder for the bus's sockets: \(error)")
        }
        let resolved: (addresses: [String], warnings: [String])
        do {
            resolved = try AnnouncedBlenders(runFolder: runFolder).resolve(attached)
        } catch {
            throw ValidationError("\(error)")
        }
        for warning in resolved.warnings { logger.warning("\(warning)") }
        if attached.contains(AttachArgument.auto) {
            logger.notice("attaching the announced GUI Blender(s): \(resolved.addresses.joined(separator: ", "))")
        }
        let secrets = try Secrets(data: run.data.path)
        var environment = ProcessInfo.processInfo.environment
        environment["BMCP_RUN"] = runFolder
        environment["BMCP_TOKEN_FILE"] = secrets.httpTokenFile
        environment["BMCP_BROKER_CLIENTS"] = broker.clients
        environment["BMCP_BROKER_WORKERS"] = broker.workers
        environment["BMCP_EVENTS_IN"] = events.input
        environment["BMCP_EVENTS_OUT"] = events.output
        environment["BMCP_DATA"] = run.data.path
        // Written out so the printed client snippet names every endpoint the services use.
        environment["BMCP_PROMPTS"] = Settings.prompts.resolve(nil)
        environment["BMCP_LOGS"] = Settings.logs.resolve(nil)
        // Any tcp:// endpoint uses CURVE: the first `bmcp up` that needs keys makes them.
        let endpointKeys = ["BMCP_BROKER_CLIENTS", "BMCP_BROKER_WORKERS", "BMCP_EVENTS_IN", "BMCP_EVENTS_OUT", "BMCP_PROMPTS", "BMCP_LOGS"]
        if endpointKeys.contains(where: { environment[$0]?.hasPrefix("tcp://") == true }) {
            let folder = Settings.keysDirectory()
            do {
                for path in try BusKeys(directory: folder).createMissing() { logger.notice("made \(path)") }
            } catch {
                throw ValidationError("tcp:// endpoints need CURVE keys: \(error)")
            }
            environment["BMCP_KEYS"] = folder
        }
        let plan = SupervisorPlan(
            binaries: binaries, addonDirectory: try Installation.addonDirectory(override: addon),
            blender: headlessBlenders > 0 ? try BlenderLocator.executable(override: blender) : nil,
            blenders: headlessBlenders, bridges: bridges, attached: resolved.addresses,
            addonHost: Settings.addonHost.resolve(addonHost), firstAddonPort: port, run: run, environment: environment,
            http: noHTTP ? nil : Settings.http.resolve(http), secrets: secrets)
        try await ServiceRunner.run([Supervisor(plan: plan, logger: logger)], logger: logger)
    }
}

/// The secrets `bmcp up` wires, generated on first use and kept 0600: the addon token (shared
/// with the GUI addon through its token file, so attaching needs nothing typed) and the HTTP
/// token. They reach children through the environment, which only this user can read, never
/// through a command line, which `ps` shows everyone.
struct Secrets: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let addonToken: String
    let httpTokenFile: String
    let httpToken: String

    init(data: String) throws {
        do {
            addonToken = try Settings.addonToken.explicit(nil) ?? SecretFile.loadOrCreate(Settings.addonTokenFile.resolve(nil))
            httpTokenFile = Settings.tokenFilePath(data: data)
            httpToken = try Settings.token.explicit(nil) ?? SecretFile.loadOrCreate(httpTokenFile)
        } catch {
            throw ValidationError("secrets: \(error)")
        }
    }

    // Interpolation, debug printing and reflection show where the secrets are, never them.
    var description: String { "Secrets(HTTP token in \(httpTokenFile), addon token: set)" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: ["httpTokenFile": httpTokenFile]) }
}

/// Where this installation's pieces are: the binaries beside `bmcp`, the addon in the checkout.
enum Installation {
    static var binaries: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func addonDirectory(override: String?) throws -> URL {
        if let override { return URL(fileURLWithPath: override) }
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
