import ArgumentParser
import BusMessages
import Foundation
import ServiceKit

/// `bmcp status`: each supervised process, each Blender instance with its sessions and last
/// heartbeat, and the MCP endpoint.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show what runs: processes, Blender instances, sessions.")

    @OptionGroup var data: DataOptions
    @OptionGroup var broker: BrokerOptions

    func run() async throws {
        let run = RunDirectory(data: URL(fileURLWithPath: data.directory).standardizedFileURL)
        if let pid = run.readPID(run.supervisorPID), RunDirectory.isAlive(pid) {
            print("bmcp up: running (pid \(pid)), data \(run.data.path)")
        } else {
            print("bmcp up: not running for \(run.data.path)")
        }
        let restarts = (try? Data(contentsOf: run.status)).flatMap { try? JSONParser.parse($0) }?["children"]?.arrayValue ?? []
        for (name, pid) in run.childPIDs().sorted(by: { $0.key < $1.key }) {
            let restarted = restarts.first { $0["name"]?.stringValue == name }?["restarts"]?.intValue ?? 0
            print("  \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) pid \(pid) \(RunDirectory.isAlive(pid) ? "running" : "NOT RUNNING")\(restarted > 0 ? ", restarted \(restarted)×" : "")")
        }
        let client = try RequestClient(endpoint: broker.clients)
        defer { Task { await client.shutdown() } }
        guard let health = try? await client.send(.request(op: Op.brokerHealth, source: "bmcp"), timeout: .seconds(3)),
              health.kind == .reply, let result = health.result else {
            print("session-broker: not reachable at \(broker.clients)")
            throw ExitCode(1)
        }
        let instances = (try? await client.send(.request(op: Op.instanceList, source: "bmcp"), timeout: .seconds(3)))?.result
        print("session-broker: \(broker.clients), \(result["sessions"]?.intValue ?? 0) session(s), \(result["in_flight"]?.intValue ?? 0) in flight")
        for bridge in result["bridges"]?.arrayValue ?? [] {
            print("  bridge \(bridge["name"]?.stringValue ?? "?") (last heartbeat \(bridge["last_seen_ms_ago"]?.intValue ?? 0) ms ago)")
            for instance in bridge["instances"]?.arrayValue ?? [] {
                let id = instance["id"]?.stringValue ?? "?"
                let load = instances?["instances"]?.arrayValue?.first { $0["id"]?.stringValue == id }
                print("    Blender \(instance["blender_version"]?.stringValue ?? "?") at \(instance["address"]?.stringValue ?? "?"): \(load?["sessions"]?.intValue ?? 0) session(s), loaded: \(load?["resident_session"]?.stringValue ?? "none")")
            }
        }
        print("MCP: clients start \(Installation.binaries.appendingPathComponent("mcp-front").path) over stdio")
    }
}
