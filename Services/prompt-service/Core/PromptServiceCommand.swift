import ArgumentParser
import BusMessages
import Foundation
import ServiceKit
import ServiceLifecycle

/// `prompt-service`: serves the architecture prompt dictionary on its query socket.
public struct PromptServiceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "prompt-service",
        abstract: "Serves the architecture prompt dictionary (building types, styles, elements) to mcp-front.")

    @OptionGroup var logging: LoggingOptions
    @Option(name: .customLong(Settings.prompts.flag), help: Settings.prompts.help)
    var endpoint: String?
    @Option(help: "Folder of dictionary JSON files to serve instead of the bundled one")
    var dictionary: String?

    public init() {}

    public func run() async throws {
        let logger = try logging.bootstrap(label: "prompt-service")
        let loaded = try dictionary.map { try PromptDictionary.load(directory: URL(fileURLWithPath: $0)) }
            ?? PromptDictionary.bundled()
        logger.info("loaded \(loaded.entries.count) prompt dictionary entries")
        try await ServiceRunner.run(
            [PromptService(endpoint: Settings.prompts.resolve(endpoint), dictionary: loaded)], logger: logger)
    }
}

/// Answers `prompts.list` on a ROUTER (see `QueryResponder`).
public struct PromptService: Service {
    let endpoint: String
    let dictionary: PromptDictionary

    public init(endpoint: String, dictionary: PromptDictionary) {
        self.endpoint = endpoint
        self.dictionary = dictionary
    }

    public func run() async throws {
        let loop = try SocketLoop(name: "prompt-service")
        let endpoint = endpoint
        let listing = dictionary.listing()
        let count = dictionary.entries.count
        try await loop.runUntilShutdown { loop in
            let responder = try QueryResponder(loop: loop, endpoint: endpoint, source: "prompt-service")
            responder.handle(Op.promptsList) { _ in ["prompts": listing] }
            responder.handle(Op.health) { _ in ["status": "ok", "entries": .int(Int64(count))] }
            loop.keep(responder)
            loop.logger.info("prompt-service answering on \(endpoint)")
        }
    }
}
