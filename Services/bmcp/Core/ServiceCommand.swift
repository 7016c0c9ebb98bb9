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
    @Option(help: "Extra arguments for `bmcp up`, e.g. \"--blenders 2\"")
    var upArguments: String = ""

    func validate() throws {
        guard action == "install" || action == "uninstall" else {
            throw ValidationError("action must be install or uninstall, got '\(action)'")
        }
    }

    func run() async throws {
        let bmcp = Installation.binaries.appendingPathComponent("bmcp").path
        let data = ProcessInfo.processInfo.environment["BMCP_DATA"] ?? (NSHomeDirectory() + "/.local/state/bmcp")
        #if os(macOS)
        let file = URL(fileURLWithPath: NSHomeDirectory() + "/Library/LaunchAgents/dev.blender-mcp.bmcp.plist")
        let content = LoginService.launchdPlist(bmcp: bmcp, arguments: upArguments, data: data)
        let enable = ["/bin/launchctl", "load", "-w", file.path]
        let disable = ["/bin/launchctl", "unload", "-w", file.path]
        #else
        let configHome = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"] ?? (NSHomeDirectory() + "/.config")
        let file = URL(fileURLWithPath: configHome + "/systemd/user/bmcp.service")
        let content = LoginService.systemdUnit(bmcp: bmcp, arguments: upArguments, data: data)
        let enable = ["systemctl", "--user", "enable", "--now", "bmcp.service"]
        let disable = ["systemctl", "--user", "disable", "--now", "bmcp.service"]
        #endif
        if action == "install" {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: file, atomically: true, encoding: .utf8)
            print("wrote \(file.path):\n\(content)")
            if !noEnable { runQuietly(enable, then: "enabled") }
        } else {
            if !noEnable { runQuietly(disable, then: "disabled") }
            try? FileManager.default.removeItem(at: file)
            print("removed \(file.path)")
        }
    }

    private func runQuietly(_ command: [String], then done: String) {
        let tool = command[0].hasPrefix("/") ? command[0] : BlenderLocator.resolve(command[0])
        guard let tool, let outcome = try? ProcessRunner.run(tool, Array(command.dropFirst()), timeout: 30), outcome.status == 0 else {
            print("could not run `\(command.joined(separator: " "))` here; run it yourself to finish")
            return
        }
        print("\(done): \(command.joined(separator: " "))")
    }
}

enum LoginService {
    static func systemdUnit(bmcp: String, arguments: String, data: String) -> String {
        """
        [Unit]
        Description=Blender MCP v2 (bmcp up)
        After=network.target

        [Service]
        ExecStart=\(bmcp) up\(arguments.isEmpty ? "" : " \(arguments)")
        Environment=BMCP_DATA=\(data)
        Restart=on-failure
        RestartSec=2
        KillSignal=SIGTERM
        TimeoutStopSec=30

        [Install]
        WantedBy=default.target

        """
    }

    static func launchdPlist(bmcp: String, arguments: String, data: String) -> String {
        let args = ([bmcp, "up"] + arguments.split(separator: " ").map(String.init)).map { "    <string>\($0)</string>" }.joined(separator: "\n")
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
          <key>EnvironmentVariables</key><dict><key>BMCP_DATA</key><string>\(data)</string></dict>
          <key>RunAtLoad</key><true/>
          <key>KeepAlive</key><true/>
        </dict>
        </plist>

        """
    }
}
