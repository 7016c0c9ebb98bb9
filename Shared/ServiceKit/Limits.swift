import ArgumentParser
import BusMessages
import Foundation

/// The bounds of the system, each a setting with a default, so every error that hits one
/// can name what to change.
extension Settings {
    public static let maxMessageBytes = Setting(
        flag: "max-message-bytes", environment: MessageLimit.environment, defaultValue: String(MessageLimit.defaultBytes),
        summary: "largest message in bytes, the same for the bus, the bridge's addon link and the addon (a bus envelope gets 64 KiB more for its own fields); a larger request is refused with too_large before it is sent, a larger reply becomes a too_large error")
    public static let logOpenFiles = Setting(
        flag: "log-open-files", environment: "BMCP_LOG_OPEN_FILES", defaultValue: "256",
        summary: "log files log-writer keeps open at once; the least recently written is closed first (a session's are closed when it closes)")
    public static let logBacklogBytes = Setting(
        flag: "log-backlog-bytes", environment: "BMCP_LOG_BACKLOG_BYTES", defaultValue: "67108864",
        summary: "bytes of events log-writer holds in memory while the data directory cannot be written; beyond them it holds only which events to fetch again from the broker's history")
    public static let eventHistoryEvents = Setting(
        flag: "event-history-events", environment: "BMCP_EVENT_HISTORY_EVENTS", defaultValue: "10000",
        summary: "events the broker keeps for a subscriber that missed some (log-writer after a restart or a full disk asks for them again); an older one is reported as lost, never skipped silently")
    public static let eventHistoryBytes = Setting(
        flag: "event-history-bytes", environment: "BMCP_EVENT_HISTORY_BYTES", defaultValue: "16777216",
        summary: "bytes of events the broker keeps for a subscriber that missed some, beside BMCP_EVENT_HISTORY_EVENTS; whichever is reached first drops the oldest")
    public static let httpSessions = Setting(
        flag: "http-sessions", environment: "BMCP_HTTP_SESSIONS", defaultValue: "256",
        summary: "open MCP sessions over HTTP (handshake era); one more is refused with 503 until one ends or idles out")
    public static let sseStreams = Setting(
        flag: "sse-streams", environment: "BMCP_SSE_STREAMS", defaultValue: "512",
        summary: "Server-Sent Events streams mcp-front writes at once (MCP streams and /api/events); one more is refused with 503")
    public static let sseQueueBytes = Setting(
        flag: "sse-queue-bytes", environment: "BMCP_SSE_QUEUE_BYTES", defaultValue: "4194304",
        summary: "bytes of events one Server-Sent Events stream may hold that its client has not read yet; past them the stream is ended (a handshake-era MCP client resumes it with Last-Event-ID)")
    public static let sseReplayBytes = Setting(
        flag: "sse-replay-bytes", environment: "BMCP_SSE_REPLAY_BYTES", defaultValue: "1048576",
        summary: "bytes of sent events each MCP session over HTTP keeps so a client can resume a broken stream (Last-Event-ID); the oldest go first, and resuming from one that went is refused with a message naming this setting")
    public static let listPage = Setting(
        flag: "list-page", environment: "BMCP_LIST_PAGE", defaultValue: "100",
        summary: "items per page of every list mcp-front answers with a cursor (resources/list, the sessions list)")

    /// Refuses to start on a limit the processes would otherwise each read their own way.
    public static func checkLimits(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let raw = maxMessageBytes.explicit(nil, environment: env), MessageLimit.parse(raw) == nil {
            throw ValidationError("\(MessageLimit.environment) must be a whole number of bytes from 1024 to 1073741824, got '\(raw)'")
        }
    }
}

extension Setting {
    /// The default of a whole-number setting, for callers that take the value as a parameter
    /// (one place holds each default: the row in the table above).
    public var defaultCount: Int { Int(defaultValue)! }

    /// The value as a whole number in `range`; the error names the flag and the variable.
    public func count(_ flagValue: String?, in range: ClosedRange<Int> = 1...Int(Int32.max)) throws -> Int {
        let raw = resolve(flagValue)
        guard let value = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw ValidationError("--\(flag) (\(environment)) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(raw)'")
        }
        return value
    }
}
