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
    @Option(help: "Blender executable to check (default: every Blender found)")
    var blender: String?

    func run() async throws {
        var failed = 0
        func check(_ ok: Bool, _ what: String, fix: @autoclosure () -> String) {
            print("\(ok ? "ok  " : "FAIL") \(what)\(ok ? "" : "\n     fix: \(fix())")")
            if !ok { failed += 1 }
        }
        check(!zeroMQVersion.isEmpty, "libzmq \(zeroMQVersion)", fix: "install libzmq (Debian/Ubuntu: apt-get install libzmq3-dev)")

        let blenders = BlenderLocator.all(explicit: blender)
        check(!blenders.isEmpty, "Blender: \(blenders.map { "\($0.version) at \($0.path)" }.joined(separator: "; "))",
              fix: "install Blender (apt-get install blender) or pass --blender PATH")
        let addonFolder = try? Installation.addonDirectory(override: nil)
        check(addonFolder != nil, "addon sources at \(addonFolder?.path ?? "?")", fix: "run bmcp from a checkout, or pass --addon to the commands that need it")
        for install in blenders {
            let home = NSHomeDirectory()
            let places = ["\(home)/.config/blender/\(install.series)/scripts/addons/bmcp_addon",
                          "\(home)/Library/Application Support/Blender/\(install.series)/scripts/addons/bmcp_addon"]
            let installed = places.contains { FileManager.default.fileExists(atPath: $0) }
            check(installed, "addon installed for Blender \(install.series) (GUI use)", fix: "bmcp install-addon --blender \(install.path)")
        }

        let folder = URL(fileURLWithPath: data.directory).standardizedFileURL
        let probe = folder.appendingPathComponent(".doctor-\(getpid())")
        let writable = (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil
            && FileManager.default.createFile(atPath: probe.path, contents: Data("ok".utf8))
        try? FileManager.default.removeItem(at: probe)
        check(writable, "data directory \(folder.path) is writable", fix: "choose a writable folder with --data or BMCP_DATA")

        let running = RunDirectory(data: folder).readPID(RunDirectory(data: folder).supervisorPID).map(RunDirectory.isAlive) ?? false
        for (name, setting) in [("session-broker clients", Settings.brokerClients), ("session-broker workers", Settings.brokerWorkers),
                                ("event proxy in", Settings.eventsIn), ("event proxy out", Settings.eventsOut),
                                ("prompt-service", Settings.prompts), ("log-writer", Settings.logs)] {
            let endpoint = setting.resolve(nil)
            let free = Self.canBind(endpoint)
            check(free || running, "\(name) endpoint \(endpoint) \(free ? "is free" : "is in use\(running ? " (by bmcp up)" : "")")",
                  fix: "stop what uses it, or choose another endpoint with --\(setting.flag) / \(setting.environment)")
        }
        if running {
            for (name, endpoint, op) in [("session-broker", broker.clients, Op.brokerHealth),
                                         ("log-writer", Settings.logs.resolve(nil), Op.health),
                                         ("prompt-service", Settings.prompts.resolve(nil), Op.health)] {
                let client = try RequestClient(endpoint: endpoint, peer: name)
                let answer = try? await client.send(.request(op: op, source: "bmcp"), timeout: .seconds(3))
                await client.shutdown()
                check(answer?.kind == .reply, "\(name) answers at \(endpoint)", fix: "see \(folder.path)/logs/\(name).log; `bmcp down && bmcp up` restarts everything")
            }
        } else {
            print("note bmcp up is not running; start it to check the services answer")
        }
        print(failed == 0 ? "\nall checks passed" : "\n\(failed) check(s) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    /// Whether a ZeroMQ endpoint could be bound now (that is, nothing else holds it).
    static func canBind(_ endpoint: String) -> Bool {
        guard let context = try? Context(), let socket = try? context.socket(.router) else { return false }
        defer { socket.close() }
        return (try? socket.bind(endpoint)) != nil
    }
}
