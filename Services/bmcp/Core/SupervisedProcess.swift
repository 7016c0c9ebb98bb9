import Foundation
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// One process `bmcp up` keeps running: how to start it, its current run, its log (appended
/// across restarts under `BMCP_DATA/logs/<name>.log`) and its pid file under `run/`.
final class SupervisedProcess: @unchecked Sendable {
    let name: String
    let executable: URL
    let arguments: [String]
    let environment: [String: String]
    let logFile: URL
    let pidFile: URL
    private(set) var process: Process?
    private(set) var restarts = 0
    private var startedAt = ContinuousClock.now
    private var backoff: Duration = .milliseconds(250)
    private(set) var nextStart: ContinuousClock.Instant?

    init(name: String, executable: URL, arguments: [String], environment: [String: String], run: RunDirectory) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        logFile = run.logs.appendingPathComponent("\(name).log")
        pidFile = run.pidFile(for: name)
    }

    var pid: Int32? { process?.processIdentifier }

    /// Spawns from a thread with an empty signal mask: a child inherits its parent thread's
    /// mask, and Swift's pool threads block SIGTERM, which left Blender deaf to it.
    func start() async throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let log = try FileHandle(forWritingTo: logFile)
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
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
        try? log.close()
        self.process = process
        startedAt = .now
        nextStart = nil
        try? String(process.processIdentifier).write(to: pidFile, atomically: true, encoding: .utf8)
    }

    /// Reaps the child ourselves: Foundation's `isRunning` can lag behind a child that has
    /// already exited (seen as a zombie holding shutdown for the whole grace period).
    var isRunning: Bool {
        guard let process else { return false }
        var status: Int32 = 0
        let reaped = waitpid(process.processIdentifier, &status, WNOHANG)
        if reaped == process.processIdentifier || (reaped == -1 && errno == ECHILD) { return false }
        return process.isRunning
    }

    /// After an exit: when to start again. The delay doubles on every quick death (to 10 s)
    /// and resets once a run has lasted a minute.
    func scheduleRestart() -> Duration {
        if ContinuousClock.now - startedAt > .seconds(60) { backoff = .milliseconds(250) }
        let delay = backoff
        backoff = min(backoff * 2, .seconds(10))
        restarts += 1
        nextStart = .now + delay
        return delay
    }

    /// SIGTERM, then SIGKILL if it is still there after `grace`; false when it had to be killed.
    func stop(grace: Duration) async -> Bool {
        defer { try? FileManager.default.removeItem(at: pidFile) }
        guard let pid, isRunning else { return true }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard isRunning else { return true }
        kill(pid, SIGKILL)
        return false
    }

    /// Waits until a line starting with `prefix` appears in this run's log output.
    func waitForLine(startingWith prefix: String, after offset: UInt64, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let handle = try? FileHandle(forReadingFrom: logFile) {
                try? handle.seek(toOffset: offset)
                let text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
                try? handle.close()
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            }
            guard isRunning else { throw LaunchError("\(name) exited before it was ready; see \(logFile.path)") }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw LaunchError("\(name) was not ready within \(timeout); see \(logFile.path)")
    }

    var logSize: UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: logFile.path))?[.size] as? UInt64) ?? 0
    }
}

struct LaunchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
