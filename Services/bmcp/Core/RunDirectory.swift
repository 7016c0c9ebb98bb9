import Foundation
import ServiceKit

/// `BMCP_DATA/run/`: the supervisor's pid file, one pid file per child and `status.json`, so
/// `bmcp down` and `bmcp status` can find a running system. Logs go to `BMCP_DATA/logs/`.
struct RunDirectory {
    let data: URL
    var folder: URL { data.appendingPathComponent("run", isDirectory: true) }
    var logs: URL { data.appendingPathComponent("logs", isDirectory: true) }
    var supervisorPID: URL { folder.appendingPathComponent("bmcp.pid") }
    var status: URL { folder.appendingPathComponent("status.json") }

    func pidFile(for name: String) -> URL { folder.appendingPathComponent("\(name).pid") }

    /// The data folder (made 0700 when new; a folder the user chose is left as it is) and its
    /// run/ and logs/, each 0700: logs name sessions and carry what Blender printed.
    func create() throws {
        try PrivateDirectory.ensure(data.path)
        for folder in [folder, logs] { try PrivateDirectory.prepare(folder.path) }
    }

    func readPID(_ file: URL) -> Int32? {
        (try? String(contentsOf: file, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Children pid files left behind, by name.
    func childPIDs() -> [String: Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var pids: [String: Int32] = [:]
        for name in names where name.hasSuffix(".pid") && name != "bmcp.pid" {
            if let pid = readPID(folder.appendingPathComponent(name)) { pids[String(name.dropLast(4))] = pid }
        }
        return pids
    }

    /// Running, not merely a zombie: a process that exited stays signalable until its parent
    /// reaps it, and a parent that is slow to (a test harness, a shell busy in the foreground)
    /// must not make `bmcp down` wait for, and then kill, a supervisor that already stopped.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: end)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }
}

/// The user's home as Blender and systemd see it: $HOME first. Foundation's NSHomeDirectory()
/// answers from the password database when running as root, ignoring a changed HOME.
enum UserHome {
    static var path: String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        return home.isEmpty ? NSHomeDirectory() : home
    }
}
