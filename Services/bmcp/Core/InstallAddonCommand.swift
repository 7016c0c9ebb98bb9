import ArgumentParser
import Foundation

/// `bmcp install-addon`: installs and enables the addon in every Blender found (or the one
/// named), by running that Blender headless with Addon/tools/install_addon.py, then starts it
/// again to check the addon is enabled.
struct InstallAddonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-addon",
        abstract: "Install and enable the Blender addon for each Blender found (idempotent).")

    @Option(help: "Blender executable to install into (default: every Blender found)")
    var blender: String?
    @Option(help: "Only Blenders of this version series, e.g. 4.2")
    var version: String?
    @Flag(help: "Disable and remove the addon instead")
    var uninstall = false
    @Flag(help: "Print what would be done, change nothing")
    var dryRun = false
    @Option(help: "Folder holding the addon (default: Addon/ of this checkout)")
    var addon: String?

    func run() async throws {
        let addonFolder = try Installation.addonDirectory(override: addon)
        let script = addonFolder.appendingPathComponent("tools/install_addon.py")
        var found = BlenderLocator.all(explicit: blender)
        if let version { found = found.filter { $0.series == version || $0.version == version } }
        guard !found.isEmpty else {
            throw ValidationError("no Blender found\(version.map { " of version \($0)" } ?? ""); looked at $BLENDER, PATH and \(BlenderLocator.usualPlaces.prefix(4).joined(separator: ", "))…; pass --blender PATH")
        }
        var failures = 0
        for install in found {
            let action = uninstall ? "uninstall" : "install"
            if dryRun {
                print("would \(action) bmcp_addon in Blender \(install.version) at \(install.path) (from \(addonFolder.appendingPathComponent("bmcp_addon").path)), save its preferences, then check it is \(uninstall ? "gone" : "enabled")")
                continue
            }
            let changed = try ProcessRunner.run(install.path, ["-b", "--python", script.path, "--", action, addonFolder.path], timeout: 180)
            let verified = try ProcessRunner.run(install.path, ["-b", "--python", script.path, "--", "verify", addonFolder.path], timeout: 180)
            let line = verified.output.split(separator: "\n").last { $0.hasPrefix("BMCP_ADDON_STATE") }.map(String.init) ?? ""
            let enabled = line.contains("enabled=True")
            let ok = changed.status == 0 && line.hasPrefix("BMCP_ADDON_STATE") && enabled != uninstall
            if ok {
                print("\(uninstall ? "removed from" : "installed and enabled in") Blender \(install.version) (\(install.path)); \(line)")
            } else {
                failures += 1
                let detail = changed.output.split(separator: "\n").filter { $0.hasPrefix("BMCP_") || $0.contains("Error") }.joined(separator: "\n")
                print("FAILED for Blender \(install.version) (\(install.path)): \(line.isEmpty ? "no state reported" : line)\n\(detail)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
