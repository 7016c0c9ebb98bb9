import ArgumentParser
import Foundation

/// One configurable value: a flag, the environment variable behind it and its default,
/// resolved in that order (DESIGN.md, "Default endpoints").
public struct Setting: Sendable {
    public let flag: String
    public let environment: String
    public let defaultValue: String
    public let summary: String

    public init(flag: String, environment: String, defaultValue: String, summary: String) {
        self.flag = flag
        self.environment = environment
        self.defaultValue = defaultValue
        self.summary = summary
    }

    public var help: ArgumentHelp {
        ArgumentHelp("\(summary) (env \(environment); default \(defaultValue.isEmpty ? "none" : defaultValue))")
    }

    public func resolve(_ flagValue: String?, environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        explicit(flagValue, environment: env) ?? defaultValue
    }

    /// The flag's or the environment's value, nil when neither is given (the default is
    /// then not implied).
    public func explicit(_ flagValue: String?, environment env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let flagValue { return flagValue }
        if let fromEnv = env[environment], !fromEnv.isEmpty { return fromEnv }
        return nil
    }

    /// The value as a positive number of seconds.
    public func seconds(_ flagValue: String?) throws -> Duration {
        let raw = resolve(flagValue)
        guard let seconds = Double(raw), seconds > 0, seconds.isFinite else {
            throw ValidationError("--\(flag) (\(environment)) must be a positive number of seconds, got '\(raw)'")
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}

/// Every setting of the system in one table, so `--help`, the launcher, compose and the docs
/// agree on names and defaults.
public enum Settings {
    public static let brokerClients = Setting(
        flag: "broker-clients", environment: "BMCP_BROKER_CLIENTS", defaultValue: runEndpoint("broker-clients"),
        summary: "session-broker's clients ROUTER, where mcp-front sends requests")
    public static let brokerWorkers = Setting(
        flag: "broker-workers", environment: "BMCP_BROKER_WORKERS", defaultValue: runEndpoint("broker-workers"),
        summary: "session-broker's workers ROUTER, where blender-bridges register")
    public static let eventsIn = Setting(
        flag: "events-in", environment: "BMCP_EVENTS_IN", defaultValue: runEndpoint("events-in"),
        summary: "event proxy input (XSUB); publishers connect here")
    public static let eventsOut = Setting(
        flag: "events-out", environment: "BMCP_EVENTS_OUT", defaultValue: runEndpoint("events-out"),
        summary: "event proxy output (XPUB); subscribers connect here")
    public static let designLanguage = Setting(
        flag: "design-language", environment: "BMCP_DESIGN_LANGUAGE", defaultValue: "auto",
        summary: "language of design.md and its drawings: en, ja, or auto (Japanese for a session with a Japanese name)")
    public static let prompts = Setting(
        flag: "prompts", environment: "BMCP_PROMPTS", defaultValue: runEndpoint("prompts"),
        summary: "prompt-service's query ROUTER")
    public static let logs = Setting(
        flag: "logs", environment: "BMCP_LOGS", defaultValue: runEndpoint("logs"),
        summary: "log-writer's query ROUTER")
    public static let addonHost = Setting(
        flag: "addon-host", environment: "BMCP_ADDON_HOST", defaultValue: "127.0.0.1",
        summary: "host of the Blender addon's TCP server")
    public static let addonPort = Setting(
        flag: "addon-port", environment: "BMCP_ADDON_PORT", defaultValue: "9876",
        summary: "port of the Blender addon's TCP server")
    public static let addonToken = Setting(
        flag: "addon-token", environment: "BMCP_ADDON_TOKEN", defaultValue: "",
        summary: "shared token the addon requires in its hello")
    public static let runDirectory = Setting(
        flag: "run-dir", environment: "BMCP_RUN", defaultValue: defaultRunDirectory(),
        summary: "folder (0700, this user's only) holding the bus's ipc:// sockets; the default endpoints live here")
    public static let keys = Setting(
        flag: "keys", environment: "BMCP_KEYS", defaultValue: "<data>/keys",
        summary: "folder of the bus's CURVE keys (server.key/.pub, client.key/.pub, authorized_clients), needed by every tcp:// endpoint; `bmcp keys` makes them")
    public static let durability = Setting(
        flag: "durability", environment: "BMCP_DURABILITY", defaultValue: "fast",
        summary: "fast: journal entries and checkpoints are left to the OS to flush (nothing is lost when a process dies); safe: fsynced before a command is answered and before a checkpoint counts (nothing is lost when the machine dies)")
    public static let makeKeys = Setting(
        flag: "make-keys", environment: "BMCP_MAKE_KEYS", defaultValue: "0",
        summary: "1: make missing CURVE keys in the keys folder at start (containers sharing one volume; elsewhere run `bmcp keys`)")
    public static let addonTokenFile = Setting(
        flag: "addon-token-file", environment: "BMCP_ADDON_TOKEN_FILE", defaultValue: defaultConfigDirectory() + "/addon.token",
        summary: "file holding the addon token when none is given (the GUI addon creates it); the bridge reads it to attach to your own Blender")
    public static let tokenFile = Setting(
        flag: "token-file", environment: "BMCP_TOKEN_FILE", defaultValue: "<data>/secrets/http.token",
        summary: "file holding the HTTP bearer token when --token is not given; created 0600 on first use")
    public static let httpAuth = Setting(
        flag: "http-auth", environment: "BMCP_HTTP_AUTH", defaultValue: "token",
        summary: "token: /mcp and /api need the bearer token (or the dashboard's cookie); off: no token (loopback binds only; say it explicitly)")
    public static let allowedHosts = Setting(
        flag: "allowed-hosts", environment: "BMCP_ALLOWED_HOSTS", defaultValue: "",
        summary: "comma-separated Host names accepted besides loopback names and the bound address (requests for any other Host are refused: DNS rebinding)")
    public static let dataDirectory = Setting(
        flag: "data", environment: "BMCP_DATA", defaultValue: defaultDataDirectory(),
        summary: "data directory for sessions, logs and checkpoints")
    public static let heartbeat = Setting(
        flag: "heartbeat-ms", environment: "BMCP_HEARTBEAT_MS", defaultValue: "1000",
        summary: "broker/bridge heartbeat interval in milliseconds; a peer is dead after 3 missed")
    public static let requestTimeout = Setting(
        flag: "request-timeout", environment: "BMCP_REQUEST_TIMEOUT", defaultValue: "120",
        summary: "seconds mcp-front waits for a Blender command before answering with a timeout error")
    public static let sessionIdle = Setting(
        flag: "session-idle", environment: "BMCP_SESSION_IDLE", defaultValue: "1800",
        summary: "seconds after which an unused session is checkpointed and released from Blender")
    public static let sessionLease = Setting(
        flag: "session-lease", environment: "BMCP_SESSION_LEASE", defaultValue: "300",
        summary: "seconds a client's attachment to a session holds without a command from it")
    public static let http = Setting(
        flag: "http", environment: "BMCP_HTTP", defaultValue: "127.0.0.1:8765",
        summary: "serve MCP (Streamable HTTP at /mcp), the HTTP API and the dashboard on host:port instead of stdio; `bmcp up` uses the default")
    public static let token = Setting(
        flag: "token", environment: "BMCP_TOKEN", defaultValue: "",
        summary: "bearer token HTTP clients must send; required when --http binds beyond loopback")
    public static let trustedNetwork = Setting(
        flag: "trusted-network", environment: "BMCP_TRUSTED_NETWORK", defaultValue: "0",
        summary: "1: a non-loopback --http bind is reachable only by trusted peers (a container whose port the host publishes on loopback), so no token is demanded")
    public static let allowedOrigins = Setting(
        flag: "allowed-origins", environment: "BMCP_ALLOWED_ORIGINS", defaultValue: "",
        summary: "comma-separated browser origins allowed besides loopback and the server's own host")
    public static let httpMaxBody = Setting(
        flag: "http-max-body", environment: "BMCP_HTTP_MAX_BODY", defaultValue: "4194304",
        summary: "largest HTTP request body in bytes; larger ones get 413")
    public static let logLevel = Setting(
        flag: "log-level", environment: "BMCP_LOG_LEVEL", defaultValue: "info",
        summary: "trace, debug, info, notice, warning, error or critical")

    /// `ipc://<run folder>/<name>`: where each default endpoint lives.
    static func runEndpoint(_ name: String) -> String {
        "ipc://\(runDirectory.resolve(nil))/\(name)"
    }

    /// $XDG_RUNTIME_DIR/bmcp (a tmpfs only this user can enter), else /tmp/bmcp-<uid>
    /// (made 0700 and checked for ownership before any socket goes in).
    static func defaultRunDirectory() -> String {
        if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + "/bmcp"
        }
        return "/tmp/bmcp-\(getuid())"
    }

    /// $XDG_CONFIG_HOME/bmcp, else ~/.config/bmcp: per-user files that outlive a data folder.
    static func defaultConfigDirectory() -> String {
        let env = ProcessInfo.processInfo.environment
        if let config = env["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/bmcp" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.config/bmcp"
    }

    /// The keys folder: BMCP_KEYS, else `<data>/keys`.
    public static func keysDirectory(flag: String? = nil) -> String {
        keys.explicit(flag) ?? dataDirectory.resolve(nil) + "/keys"
    }

    /// The HTTP token file: BMCP_TOKEN_FILE, else `<data>/secrets/http.token`.
    public static func tokenFilePath(flag: String? = nil, data: String? = nil) -> String {
        tokenFile.explicit(flag) ?? (data ?? dataDirectory.resolve(nil)) + "/secrets/http.token"
    }

    /// ./.bmcp, or $XDG_STATE_HOME/bmcp when that is set.
    static func defaultDataDirectory() -> String {
        if let state = ProcessInfo.processInfo.environment["XDG_STATE_HOME"], !state.isEmpty {
            return state + "/bmcp"
        }
        return "./.bmcp"
    }
}
