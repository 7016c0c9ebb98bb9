import ArgumentParser
import Foundation
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// `bmcp down`: stops a running `bmcp up` and makes sure nothing it started is left.
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop what `bmcp up` started.")

    @OptionGroup var data: DataOptions
    @Option(help: "Seconds to wait for a clean stop before killing what is left")
    var timeout: Double = 20

    func run() async throws {
        let run = RunDirectory(data: URL(fileURLWithPath: data.directory).standardizedFileURL)
        guard let pid = run.readPID(run.supervisorPID), RunDirectory.isAlive(pid) else {
            let leftovers = run.childPIDs().filter { RunDirectory.isAlive($0.value) }
            for (name, child) in leftovers {
                print("stopping leftover \(name) (pid \(child))")
                kill(child, SIGTERM)
            }
            print(leftovers.isEmpty ? "bmcp is not running for \(run.data.path)" : "stopped \(leftovers.count) leftover process(es)")
            return
        }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while RunDirectory.isAlive(pid) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        var killed = 0
        for (name, child) in run.childPIDs() where RunDirectory.isAlive(child) {
            print("\(name) (pid \(child)) outlived the supervisor; killing it")
            kill(child, SIGKILL)
            killed += 1
        }
        if RunDirectory.isAlive(pid) {
            kill(pid, SIGKILL)
            killed += 1
        }
        print(killed == 0 ? "bmcp stopped" : "bmcp stopped; \(killed) process(es) had to be killed")
    }
}
