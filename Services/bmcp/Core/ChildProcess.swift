import Foundation
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// A process `bmcp up` started, with its output going to a log file under the data directory.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    let logFile: URL

    init(name: String, executable: URL, arguments: [String], environment: [String: String], logDirectory: URL) throws {
        self.name = name
        logFile = logDirectory.appendingPathComponent("\(name).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
    }

    /// Spawns from a thread with an empty signal mask: a child inherits its parent thread's
    /// mask, and Swift's pool threads block SIGTERM, which left Blender deaf to it.
    func start() async throws {
        let process = process
        let name = name
        try await DedicatedThread.run(name: "bmcp.spawn") {
            var empty = sigset_t()
            sigemptyset(&empty)
            pthread_sigmask(SIG_SETMASK, &empty, nil)
            do {
                try process.run()
            } catch {
                throw LaunchError("cannot start \(name) (\(process.executableURL?.path ?? "?")): \(error.localizedDescription)")
            }
        }
    }

    /// Reaps the child ourselves: Foundation's `isRunning` can lag behind a child that has
    /// already exited (seen as a zombie holding shutdown for the whole grace period).
    var isRunning: Bool {
        var status: Int32 = 0
        let pid = process.processIdentifier
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid || (reaped == -1 && errno == ECHILD) { return false }
        return process.isRunning
    }

    /// SIGTERM, then SIGKILL if it is still there after `grace`.
    func stop(grace: Duration) async {
        guard isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits until `line` prefix appears in the log, or fails naming what went wrong.
    func waitForLine(startingWith prefix: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: logFile, encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line)
            }
            guard isRunning else {
                throw LaunchError("\(name) exited before it was ready; see \(logFile.path)")
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw LaunchError("\(name) was not ready within \(timeout); see \(logFile.path)")
    }
}

struct LaunchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
