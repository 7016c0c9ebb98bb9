import ArgumentParser
import Foundation

/// Finds Blender installations: an explicit path, $BLENDER, PATH, and the usual places on
/// Linux (distribution, /opt, Snap, Flatpak exports), macOS and Windows.
enum BlenderLocator {
    struct Found: Equatable {
        let path: String
        let version: String  // "3.4.1"
        var series: String { version.split(separator: ".").prefix(2).joined(separator: ".") }
    }

    static func executable(override: String?) throws -> String {
        let candidate = override ?? ProcessInfo.processInfo.environment["BLENDER"] ?? "blender"
        if let path = resolve(candidate) { return path }
        throw ValidationError("Blender not found (\(candidate)). Install it (Debian/Ubuntu: `sudo apt-get install blender`), pass --blender PATH or set BLENDER, or use --attach for a Blender already running the addon.")
    }

    static func resolve(_ candidate: String) -> String? {
        if candidate.contains("/") { return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/\(candidate)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static var usualPlaces: [String] {
        var places = ["/usr/bin/blender", "/usr/local/bin/blender", "/snap/bin/blender",
                      "/var/lib/flatpak/exports/bin/org.blender.Blender",
                      UserHome.path + "/.local/share/flatpak/exports/bin/org.blender.Blender",
                      "/Applications/Blender.app/Contents/MacOS/Blender",
                      "C:/Program Files/Blender Foundation/Blender/blender.exe"]
        for root in ["/opt", UserHome.path + "/Applications", "C:/Program Files/Blender Foundation"] {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where entry.lowercased().hasPrefix("blender") {
                places.append("\(root)/\(entry)/blender")
                places.append("\(root)/\(entry)/blender.exe")
            }
        }
        return places
    }

    /// Every distinct Blender found, with its version; `explicit` alone when given.
    static func all(explicit: String?) -> [Found] {
        var paths: [String] = []
        if let explicit { paths = [explicit] } else {
            if let fromEnv = ProcessInfo.processInfo.environment["BLENDER"] { paths.append(fromEnv) }
            if let onPath = resolve("blender") { paths.append(onPath) }
            paths += usualPlaces.filter { FileManager.default.isExecutableFile(atPath: $0) }
        }
        var seen: Set<String> = []
        var found: [Found] = []
        for path in paths {
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard seen.insert(real).inserted, let version = version(of: path) else { continue }
            found.append(Found(path: path, version: version))
        }
        return found
    }

    /// Where Blender keeps user addons for a version series, as Blender itself decides it:
    /// $BLENDER_USER_SCRIPTS, else $XDG_CONFIG_HOME/blender (Linux) or the macOS/Windows places.
    static func userAddonFolders(series: String) -> [String] {
        let env = ProcessInfo.processInfo.environment
        if let scripts = env["BLENDER_USER_SCRIPTS"], !scripts.isEmpty { return [scripts + "/addons"] }
        let home = UserHome.path
        let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        var folders = ["\(config)/blender/\(series)/scripts/addons",
                       "\(home)/Library/Application Support/Blender/\(series)/scripts/addons"]
        if let appData = env["APPDATA"] { folders.append("\(appData)/Blender Foundation/Blender/\(series)/scripts/addons") }
        return folders
    }

    /// "3.4.1" from `blender --version`.
    static func version(of path: String) -> String? {
        let output = try? ProcessRunner.run(path, ["--version"], timeout: 60).output
        return output?.split(separator: "\n").first { $0.hasPrefix("Blender ") }
            .map { String($0.dropFirst("Blender ".count)).split(separator: " ").first.map(String.init) ?? "" }
    }
}

/// Runs a short command to completion and captures its output.
enum ProcessRunner {
    struct Outcome {
        let status: Int32
        let output: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bmcp-run-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? FileManager.default.removeItem(at: output) }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            process.terminate()
            throw LaunchError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        try? handle.close()
        return Outcome(status: process.terminationStatus, output: (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
