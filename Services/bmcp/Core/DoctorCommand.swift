import ArgumentParser
import BusMessages
import Foundation
import ServiceKit
import ZeroMQ

/// `bmcp doctor`: checks what Blender MCP v2 needs and says how to fix each thing that fails.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "doctor", abstract: "Check the installation and the running system; say how to fix what fails.")

    @OptionGroup var data: DataOptions
    @OptionGroup var broker: BrokerOptions
    @OptionGroup var events: EventBusOptions
    @Option(help: "Blender executable to check (default: every Blender found)")
    var blender: String?

    private final class Report {
        var failed = 0
        func check(_ ok: Bool, _ what: String, fix: @autoclosure () -> String) {
            print("\(ok ? "ok  " : "FAIL") \(what)\(ok ? "" : "\n     fix: \(fix())")")
            if !ok { failed += 1 }
        }
    }

    func run() async throws {
        let report = Report()
        report.check(!zeroMQVersion.isEmpty, "libzmq \(zeroMQVersion)", fix: "install libzmq (Debian/Ubuntu: apt-get install libzmq3-dev)")
        checkBlenders(report)
        let folder = URL(fileURLWithPath: data.directory).standardizedFileURL
        checkDataDirectory(folder, report)

        let run = RunDirectory(data: folder)
        let supervisor = run.readPID(run.supervisorPID).flatMap { RunDirectory.isAlive($0) ? $0 : nil }
        checkEndpoints(upIsRunning: supervisor != nil, report)
        if let supervisor {
            print("note bmcp up is running (pid \(supervisor)); checking that its services answer")
            await checkServices(logs: run.logs, report)
        } else {
            print("note bmcp up is not running for \(folder.path); start it to check the services answer")
        }
        print(report.failed == 0 ? "\nall checks passed" : "\n\(report.failed) check(s) failed")
        if report.failed > 0 { throw ExitCode(1) }
    }

    private func checkBlenders(_ report: Report) {
        let blenders = BlenderLocator.all(explicit: blender)
        report.check(!blenders.isEmpty, "Blender: \(blenders.isEmpty ? "none found" : blenders.map { "\($0.version) at \($0.path)" }.joined(separator: "; "))",
                     fix: "install Blender (Debian/Ubuntu: apt-get install blender), pass --blender PATH or set BLENDER")
        let addonFolder = try? Installation.addonDirectory(override: nil)
        report.check(addonFolder != nil, "addon sources at \(addonFolder?.path ?? "(not found)")",
                     fix: "run bmcp from a checkout, or pass --addon to the commands that need it")
        for install in blenders {
            let places = BlenderLocator.userAddonFolders(series: install.series).map { $0 + "/bmcp_addon" }
            let installed = places.first { FileManager.default.fileExists(atPath: $0) }
            report.check(installed != nil, "addon installed for Blender \(install.series) (GUI use)\(installed.map { " at \($0)" } ?? ": not in \(places[0])")",
                         fix: "bmcp install-addon --blender \(install.path)")
        }
    }

    private func checkDataDirectory(_ folder: URL, _ report: Report) {
        let probe = folder.appendingPathComponent(".doctor-\(getpid())")
        let writable = (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil
            && FileManager.default.createFile(atPath: probe.path, contents: Data("ok".utf8))
        try? FileManager.default.removeItem(at: probe)
        report.check(writable, "data directory \(folder.path) is writable", fix: "choose a writable folder with --data or BMCP_DATA")
    }

    /// Endpoints held by a running `bmcp up` are expected; held by anything else, they would
    /// stop `bmcp up` from starting.
    private func checkEndpoints(upIsRunning: Bool, _ report: Report) {
        let endpoints: [(String, Setting, String)] = [
            ("session-broker clients", Settings.brokerClients, broker.clients), ("session-broker workers", Settings.brokerWorkers, broker.workers),
            ("event proxy in", Settings.eventsIn, events.input), ("event proxy out", Settings.eventsOut, events.output),
            ("prompt-service", Settings.prompts, Settings.prompts.resolve(nil)), ("log-writer", Settings.logs, Settings.logs.resolve(nil))]
        for (name, setting, endpoint) in endpoints {
            switch EndpointProbe.state(of: endpoint) {
            case .free:
                report.check(true, "\(name) endpoint \(endpoint) is free", fix: "")
            case .inUse:
                report.check(upIsRunning, "\(name) endpoint \(endpoint) is in use\(upIsRunning ? " (by bmcp up)" : " by another program")",
                             fix: "stop what uses it (e.g. `ss -ltnp` shows who holds a TCP port), or choose another endpoint with --\(setting.flag) / \(setting.environment)")
            case .invalid(let reason):
                report.check(false, "\(name) endpoint \(endpoint): \(reason)", fix: "set --\(setting.flag) / \(setting.environment) to tcp://HOST:PORT or ipc://PATH")
            }
        }
    }

    private func checkServices(logs: URL, _ report: Report) async {
        for (name, endpoint, op) in [("session-broker", broker.clients, Op.brokerHealth),
                                     ("log-writer", Settings.logs.resolve(nil), Op.health),
                                     ("prompt-service", Settings.prompts.resolve(nil), Op.health)] {
            let answer = await EndpointProbe.ask(endpoint, peer: name, op: op)
            report.check(answer?.kind == .reply, "\(name) answers at \(endpoint)",
                         fix: "see \(logs.path)/\(name).log; `bmcp down && bmcp up` restarts everything")
            guard name == "session-broker", let health = answer?.result else { continue }
            let instances: [JSONValue] = (health["bridges"]?.arrayValue ?? []).flatMap { (bridge: JSONValue) -> [JSONValue] in bridge["instances"]?.arrayValue ?? [] }
            report.check(!instances.isEmpty, "\(instances.count) Blender instance(s) registered at the session-broker",
                         fix: "see \(logs.path)/blender-*.log and blender-bridge-*.log; `bmcp status` shows which process is down")
        }
    }
}
