import ArgumentParser
import BusMessages
import Foundation
import ServiceKit
import ServiceLifecycle

/// `prompt-service`: serves the architecture prompt dictionary on its query socket.
public struct PromptServiceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "prompt-service",
        abstract: "Serves the architecture prompt dictionary (building types, styles, elements, rooms) to mcp-front.")

    @OptionGroup var logging: LoggingOptions
    @OptionGroup var keys: KeysOptions
    @OptionGroup var events: EventBusOptions
    @Option(name: .customLong(Settings.prompts.flag), help: Settings.prompts.help)
    var endpoint: String?
    @Option(help: "Folder of dictionary JSON files to serve instead of the bundled one (reloaded when its files change)")
    var dictionary: String?

    public init() {}

    public func run() async throws {
        keys.apply()
        let logger = try logging.bootstrap(label: "prompt-service")
        // An invalid dictionary stops the service at start, with the fault named (PromptServer).
        let directory = try dictionary.map { URL(fileURLWithPath: $0) } ?? PromptDictionary.bundledDirectory()
        try await ServiceRunner.run(
            [PromptService(endpoint: Settings.prompts.resolve(endpoint), eventsInEndpoint: events.input, directory: directory)],
            logger: logger)
    }
}

public struct PromptService: Service {
    let endpoint: String
    let eventsInEndpoint: String
    let directory: URL

    public init(endpoint: String, eventsInEndpoint: String, directory: URL) {
        self.endpoint = endpoint
        self.eventsInEndpoint = eventsInEndpoint
        self.directory = directory
    }

    public func run() async throws {
        let loop = try SocketLoop(name: "prompt-service")
        let (endpoint, eventsIn, directory) = (endpoint, eventsInEndpoint, directory)
        try await loop.runUntilShutdown { loop in
            loop.keep(try PromptServer(loop: loop, endpoint: endpoint, eventsInEndpoint: eventsIn, directory: directory))
        }
    }
}
