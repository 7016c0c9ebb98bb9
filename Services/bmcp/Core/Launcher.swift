import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// What `bmcp up` needs to find and start.
struct LaunchPlan: Sendable {
    var binaries: URL
    var addonDirectory: URL
    var blender: String?
    var addonHost: String
    var addonPort: Int
    var dataDirectory: URL
    var environment: [String: String]
}

/// Starts a headless Blender with the addon and the background services, prints how to
/// connect an MCP client, and stops everything on SIGINT/SIGTERM.
struct Launcher: Service {
    let plan: LaunchPlan
    let logger: Logger

    func run() async throws {
        let logs = plan.dataDirectory.appendingPathComponent("logs", isDirectory: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        var children: [ChildProcess] = []
        do {
            if let blender = plan.blender {
                let child = try ChildProcess(
                    name: "blender-0", executable: URL(fileURLWithPath: blender),
                    arguments: ["-b", "--factory-startup", "--python", plan.addonDirectory.appendingPathComponent("serve.py").path,
                                "--", "--host", plan.addonHost, "--port", String(plan.addonPort)],
                    environment: plan.environment, logDirectory: logs)
                try await child.start()
                children.append(child)
                let ready = try await child.waitForLine(startingWith: "BMCP_ADDON_READY", timeout: .seconds(60))
                logger.info("Blender ready: \(ready)")
            }
            for service in ["session-broker", "log-writer", "prompt-service", "blender-bridge"] {
                let child = try ChildProcess(
                    name: service, executable: plan.binaries.appendingPathComponent(service), arguments: [],
                    environment: plan.environment, logDirectory: logs)
                try await child.start()
                children.append(child)
            }
            // Unbuffered, so it shows at once even when stdout is a file or a pipe.
            FileHandle.standardOutput.write(Data((connectionHelp(logs: logs) + "\n").utf8))
            try await gracefulShutdown()
        } catch is CancellationError {
        } catch {
            await stopAll(children)
            throw error
        }
        logger.info("stopping \(children.count) processes")
        await stopAll(children)
    }

    private func stopAll(_ children: [ChildProcess]) async {
        for child in children.reversed() {
            let started = ContinuousClock.now
            await child.stop(grace: .seconds(5))
            logger.info("stopped \(child.name) in \(ContinuousClock.now - started)")
        }
    }

    private func connectionHelp(logs: URL) -> String {
        let front = plan.binaries.appendingPathComponent("mcp-front").path
        var env: [String: String] = [:]
        for key in ["BMCP_BROKER_CLIENTS", "BMCP_DATA"] { if let value = plan.environment[key] { env[key] = value } }
        let snippet: [String: Any] = ["mcpServers": ["blender": ["command": front, "args": [String](), "env": env]]]
        let json = (try? JSONSerialization.data(withJSONObject: snippet, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
        return """
        Blender MCP v2 is up.
          Blender addon  \(plan.addonHost):\(plan.addonPort)\(plan.blender == nil ? " (attached, not started here)" : " (headless, started here)")
          broker         \(plan.environment["BMCP_BROKER_CLIENTS"] ?? Settings.brokerClients.defaultValue)
          logs           \(logs.path)

        Connect an MCP client by starting mcp-front over stdio. For Claude Desktop, add to
        claude_desktop_config.json:
        \(json)

        Press Ctrl-C to stop everything.
        """
    }
}
