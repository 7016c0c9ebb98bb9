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
            let target = BlenderLocator.userAddonFolders(series: install.series)[0] + "/bmcp_addon"
            if dryRun {
                print(uninstall
                      ? "would disable bmcp_addon in Blender \(install.version) (\(install.path)), remove \(target) and save its preferences"
                      : "would install \(addonFolder.appendingPathComponent("bmcp_addon").path) into \(target) for Blender \(install.version) (\(install.path)), enable it, save its preferences, then start that Blender again to check it is enabled")
                continue
            }
            let changed = try ProcessRunner.run(install.path, ["-b", "--python-exit-code", "1", "--python", script.path, "--", action, addonFolder.path], timeout: 180)
            // A fresh start proves the change is in the saved preferences, not just in memory.
            let verified = try ProcessRunner.run(install.path, ["-b", "--python-exit-code", "1", "--python", script.path, "--", "verify", addonFolder.path], timeout: 180)
            let before = Self.stateLine("BMCP_ADDON_BEFORE", in: changed.output)
            let line = Self.stateLine("BMCP_ADDON_STATE", in: verified.output)
            let wanted = uninstall ? "installed=False enabled=False in_preferences=False" : "installed=True enabled=True in_preferences=True"
            let ok = changed.status == 0 && verified.status == 0 && line.contains(wanted)
            let already = before.contains(wanted)
            if ok {
                let what = uninstall ? (already ? "was not installed in" : "disabled and removed from") : (already ? "already installed; refreshed and still enabled in" : "installed and enabled in")
                print("\(what) Blender \(install.version) (\(install.path)); checked by starting it again: \(line)")
            } else {
                failures += 1
                let detail = (changed.output + verified.output).split(separator: "\n")
                    .filter { $0.hasPrefix("BMCP_") || $0.contains("Error") }.joined(separator: "\n")
                print("FAILED to \(action) for Blender \(install.version) (\(install.path)): Blender exited \(changed.status), then \(verified.status) on the check; wanted \(wanted), got \(line.isEmpty ? "no state reported" : line)\n\(detail)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private static func stateLine(_ tag: String, in output: String) -> String {
        output.split(separator: "\n").last { $0.hasPrefix(tag + " ") }.map(String.init) ?? ""
    }
}
