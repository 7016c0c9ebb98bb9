import ArgumentParser
import ServiceKit
import ServiceLifecycle

/// `log-writer`: turns the event bus into each session's files under the data directory.
public struct LogWriterCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "log-writer",
        abstract: "Writes each session's command.log, blender.log, events.log, state.json, design.md and its drawings under the data directory, losing nothing.")

    @OptionGroup var events: EventBusOptions
    @OptionGroup var broker: BrokerOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var keys: KeysOptions
    @Option(name: .customLong(Settings.logs.flag), help: Settings.logs.help)
    var queries: String?
    @Option(name: .customLong(Settings.designLanguage.flag), help: Settings.designLanguage.help)
    var designLanguage: String?
    @Option(name: .customLong(Settings.logOpenFiles.flag), help: Settings.logOpenFiles.help)
    var openFiles: String?
    @Option(name: .customLong(Settings.logBacklogBytes.flag), help: Settings.logBacklogBytes.help)
    var backlogBytes: String?

    public init() {}

    public func run() async throws {
        keys.apply()
        let logger = try logging.bootstrap(label: "log-writer")
        let configuration = LogWriterConfiguration(
            eventsOutEndpoint: events.output, eventsInEndpoint: events.input, brokerEndpoint: broker.clients,
            queryEndpoint: Settings.logs.resolve(queries), dataDirectory: data.directory,
            designLanguage: Settings.designLanguage.resolve(designLanguage),
            openFiles: try Settings.logOpenFiles.count(openFiles, in: 1...100_000),
            backlogBytes: try Settings.logBacklogBytes.count(backlogBytes, in: 1024...Int(Int32.max)))
        guard ["auto", "en", "ja"].contains(configuration.designLanguage) else {
            throw ValidationError("--design-language / BMCP_DESIGN_LANGUAGE must be auto, en or ja, got '\(configuration.designLanguage)'")
        }
        try await ServiceRunner.run([LogWriterService(configuration: configuration)], logger: logger)
    }
}

public struct LogWriterService: Service {
    let configuration: LogWriterConfiguration

    public init(configuration: LogWriterConfiguration) {
        self.configuration = configuration
    }

    public func run() async throws {
        let loop = try SocketLoop(name: "log-writer")
        let configuration = configuration
        try await loop.runUntilShutdown { loop in
            loop.keep(try LogWriter(loop: loop, configuration: configuration))
        }
    }
}
