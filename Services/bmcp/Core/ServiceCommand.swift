import ArgumentParser
import Foundation

/// `bmcp service install|uninstall`: run `bmcp up` at login, as a systemd user unit on Linux or
/// a launchd agent on macOS.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "Install or remove a login service that runs `bmcp up`.")

    @Argument(help: "install or uninstall")
    var action: String
    @Flag(help: "Write the file only; do not enable it with systemctl/launchctl")
    var noEnable = false
    @Argument(parsing: .postTerminator, help: "Arguments for `bmcp up`, after --, e.g. `bmcp service install -- --blenders 2`")
    var upArguments: [String] = []

    func validate() throws {
        guard action == "install" || action == "uninstall" else {
            throw ValidationError("action must be install or uninstall, got '\(action)'")
        }
        // Caught now rather than at the next login, where nobody reads the error.
        do {
            _ = try UpCommand.parse(upArguments)
        } catch {
            throw ValidationError("the arguments for `bmcp up` are not valid: \(UpCommand.message(for: error))")
        }
    }

    func run() async throws {
        let bmcp = Installation.binaries.appendingPathComponent("bmcp").path
        // The BMCP_* settings in force now go into the service, so it runs what was tested here.
        var environment = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("BMCP_") }
        let data = URL(fileURLWithPath: environment["BMCP_DATA"] ?? (UserHome.path + "/.local/state/bmcp")).standardizedFileURL.path
        environment["BMCP_DATA"] = data
        #if os(macOS)
        let file = URL(fileURLWithPath: UserHome.path + "/Library/LaunchAgents/dev.blender-mcp.bmcp.plist")
        let content = LoginService.launchdPlist(bmcp: bmcp, arguments: upArguments, environment: environment)
        let enable = ["/bin/launchctl", "load", "-w", file.path]
        let disable = ["/bin/launchctl", "unload", "-w", file.path]
        #else
        let configHome = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (UserHome.path + "/.config")
        let file = URL(fileURLWithPath: configHome + "/systemd/user/bmcp.service")
        let content = LoginService.systemdUnit(bmcp: bmcp, arguments: upArguments, environment: environment)
        let enable = ["systemctl", "--user", "enable", "--now", "bmcp.service"]
        let disable = ["systemctl", "--user", "disable", "--now", "bmcp.service"]
        #endif
        var finished = true
        if action == "install" {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: file, atomically: true, encoding: .utf8)
            // It may carry BMCP_TOKEN: readable by this user only.
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            print("wrote \(file.path):\n\(content)")
            print("the service keeps its data in \(data); use `bmcp status --data \(data)` (or BMCP_DATA) to see it")
            if !noEnable { finished = runTool(enable, done: "enabled; `bmcp up` now runs at login") }
        } else {
            if !noEnable { finished = runTool(disable, done: "disabled") }
            if FileManager.default.fileExists(atPath: file.path) {
                try FileManager.default.removeItem(at: file)
                print("removed \(file.path)")
            } else {
                print("nothing to remove: \(file.path) does not exist")
            }
        }
        if !finished { throw ExitCode(1) }
    }

    /// Runs systemctl/launchctl; when it cannot, says what is left to do and why.
    private func runTool(_ command: [String], done: String) -> Bool {
        let shown = command.joined(separator: " ")
        guard let tool = command[0].hasPrefix("/") ? command[0] : BlenderLocator.resolve(command[0]) else {
            print("NOT DONE: \(command[0]) is not on PATH, so the service was not \(action == "install" ? "enabled" : "disabled"); run `\(shown)` where it is available (--no-enable skips this step)")
            return false
        }
        do {
            let outcome = try ProcessRunner.run(tool, Array(command.dropFirst()), timeout: 30)
            guard outcome.status == 0 else {
                let reason = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
                print("NOT DONE: `\(shown)` failed (exit \(outcome.status)\(reason.isEmpty ? "" : ": \(reason)")), so the service was not \(action == "install" ? "enabled" : "disabled"); run it yourself in your login session to finish (--no-enable skips this step)")
                return false
            }
        } catch {
            print("NOT DONE: could not run `\(shown)`: \(error)")
            return false
        }
        print("\(done): \(shown)")
        return true
    }
}

enum LoginService {
    static func systemdUnit(bmcp: String, arguments: [String], environment: [String: String]) -> String {
        let lines = environment.sorted { $0.key < $1.key }.map { "Environment=\"\($0.key)=\($0.value)\"" }.joined(separator: "\n")
        return """
        [Unit]
        Description=Blender MCP v2 (bmcp up)
        After=network.target

        [Service]
        ExecStart=\(([bmcp, "up"] + arguments).joined(separator: " "))
        \(lines)
        Restart=on-failure
        RestartSec=2
        KillSignal=SIGTERM
        TimeoutStopSec=30

        [Install]
        WantedBy=default.target

        """
    }

    static func launchdPlist(bmcp: String, arguments: [String], environment: [String: String]) -> String {
        let variables = environment.sorted { $0.key < $1.key }.map { "<key>\($0.key)</key><string>\($0.value)</string>" }.joined()
        let args = ([bmcp, "up"] + arguments).map { "    <string>\($0)</string>" }.joined(separator: "\n")
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <plist version="1.0">
        <dict>
          <key>Label</key><string>dev.blender-mcp.bmcp</string>
          <key>ProgramArguments</key>
          <array>
        \(args)
          </array>
          <key>EnvironmentVariables</key><dict>\(variables)</dict>
          <key>RunAtLoad</key><true/>
          <key>KeepAlive</key><true/>
        </dict>
        </plist>

        """
    }
}
