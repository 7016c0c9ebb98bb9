import Foundation
import ArgumentParser
import Logging

// Option groups shared by the executables; each service includes the ones it uses, so a
// flag means the same thing everywhere.

public struct BrokerOptions: ParsableArguments, Sendable {
    @Option(name: .customLong(Settings.brokerClients.flag), help: Settings.brokerClients.help)
    var clientsFlag: String?
    @Option(name: .customLong(Settings.brokerWorkers.flag), help: Settings.brokerWorkers.help)
    var workersFlag: String?

    public init() {}
    public var clients: String { Settings.brokerClients.resolve(clientsFlag) }
    public var workers: String { Settings.brokerWorkers.resolve(workersFlag) }
}

public struct EventBusOptions: ParsableArguments, Sendable {
    @Option(name: .customLong(Settings.eventsIn.flag), help: Settings.eventsIn.help)
    var inFlag: String?
    @Option(name: .customLong(Settings.eventsOut.flag), help: Settings.eventsOut.help)
    var outFlag: String?

    public init() {}
    public var input: String { Settings.eventsIn.resolve(inFlag) }
    public var output: String { Settings.eventsOut.resolve(outFlag) }
}

public struct HeartbeatOptions: ParsableArguments, Sendable {
    @Option(name: .customLong(Settings.heartbeat.flag), help: Settings.heartbeat.help)
    var intervalFlag: String?

    public init() {}

    public func interval() throws -> Duration {
        let raw = Settings.heartbeat.resolve(intervalFlag)
        guard let ms = Int(raw), ms > 0 else {
            throw ValidationError("--\(Settings.heartbeat.flag) must be a positive whole number of milliseconds, got '\(raw)'")
        }
        return .milliseconds(ms)
    }
}

public struct DataOptions: ParsableArguments, Sendable {
    @Option(name: .customLong(Settings.dataDirectory.flag), help: Settings.dataDirectory.help)
    var directoryFlag: String?

    public init() {}
    public var directory: String { Settings.dataDirectory.resolve(directoryFlag) }
}

public struct LoggingOptions: ParsableArguments, Sendable {
    @Option(name: .customLong(Settings.logLevel.flag), help: Settings.logLevel.help)
    var levelFlag: String?

    public init() {}

    /// Sends every log line to stderr (stdout may be an MCP stdio stream) at the chosen level.
    public func bootstrap(label: String) throws -> Logger {
        let raw = Settings.logLevel.resolve(levelFlag)
        guard let level = Logger.Level(rawValue: raw.lowercased()) else {
            throw ValidationError("--\(Settings.logLevel.flag) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got '\(raw)'")
        }
        LoggingSystem.bootstrap { name in
            var handler = StreamLogHandler.standardError(label: name)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}

/// `--keys`: the CURVE keys folder for tcp:// endpoints. The flag stands for BMCP_KEYS in
/// this process (`apply()`), so every socket loop, made anywhere, finds the same folder.
public struct KeysOptions: ParsableArguments, Sendable {
    @Option(name: .customLong(Settings.keys.flag), help: Settings.keys.help)
    var folderFlag: String?

    public init() {}

    /// Call first in `run()`, before any thread starts (setenv is not thread-safe).
    public func apply() {
        if let folderFlag { setenv(Settings.keys.environment, folderFlag, 1) }
    }
}
