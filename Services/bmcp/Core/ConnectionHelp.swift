import Foundation
import ServiceKit

/// What `bmcp up` prints once everything runs: where things are, how to connect a client, and
/// a one-time dashboard sign-in link.
///
/// The client configurations carry the HTTP token, so they are written to
/// `BMCP_DATA/secrets/mcp-clients.json` (0600) and printed only to a terminal: a `bmcp up`
/// whose output goes to a log file (a service unit, a test) leaves the token out of it.
struct ConnectionHelp {
    let plan: SupervisorPlan

    func text(toTerminal: Bool = isatty(STDOUT_FILENO) == 1) -> String {
        let clients = clientConfigurations()
        let file = plan.run.data.appendingPathComponent("secrets/mcp-clients.json").path
        let written = (try? SecretFile.write(clients, to: file, exclusive: false)) != nil
        // The GUI addon's "Copy MCP client configuration" button reads it from the run folder.
        if let runFolder = plan.environment["BMCP_RUN"] {
            _ = try? SecretFile.write(clients, to: runFolder + "/mcp-clients.json", exclusive: false)
        }
        let started = plan.blender == nil ? 0 : plan.blenders
        var lines = ["Blender MCP v2 is up.",
                     "  Blenders       \(started) headless (addon ports \(plan.firstAddonPort)…\(plan.firstAddonPort + max(0, started - 1)))"
                        + (plan.attached.isEmpty ? "" : ", attached: \(plan.attached.joined(separator: ", "))"),
                     "  broker         \(plan.environment["BMCP_BROKER_CLIENTS"] ?? Settings.brokerClients.defaultValue)",
                     "  logs           \(plan.run.logs.path)",
                     "  status         bmcp status    stop: bmcp down (or Ctrl-C here)"]
        if let http = plan.http {
            lines.append("  MCP over HTTP  http://\(http)/mcp (bearer token in \(plan.secrets.httpTokenFile))")
            lines.append("  dashboard      \(toTerminal ? DashboardLink.url(http: http, token: plan.secrets.httpToken) : "run `bmcp dashboard` for a one-time sign-in link")")
            if toTerminal { lines.append("                 (a one-time sign-in link, valid 10 minutes; `bmcp dashboard` makes another)") }
        }
        lines.append("")
        if toTerminal {
            lines.append("MCP client configuration (also in \(file)): stdio starts mcp-front itself; http needs the token shown.")
            lines.append(clients)
        } else {
            lines.append("MCP client configuration, with the token: \(written ? file : "(could not write \(file))")")
        }
        return lines.joined(separator: "\n")
    }

    /// Claude Desktop's stdio entry and a Streamable HTTP entry with its Authorization header.
    func clientConfigurations() -> String {
        let front = plan.binaries.appendingPathComponent("mcp-front").path
        var env: [String: String] = [:]
        for key in ["BMCP_BROKER_CLIENTS", "BMCP_DATA", "BMCP_LOGS", "BMCP_PROMPTS", "BMCP_EVENTS_OUT"] {
            if let value = plan.environment[key] { env[key] = value }
        }
        var servers: [String: Any] = ["blender": ["command": front, "args": [String](), "env": env]]
        if let http = plan.http {
            servers["blender-http"] = ["type": "http", "url": "http://\(http)/mcp",
                                       "headers": ["Authorization": "Bearer \(plan.secrets.httpToken)"]]
        }
        let data = try? JSONSerialization.data(withJSONObject: ["mcpServers": servers],
                                               options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
