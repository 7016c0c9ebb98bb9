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
        let status = (try? Data(contentsOf: run.status)).flatMap { try? JSONParser.parse($0) }
        let restarts = status?["children"]?.arrayValue ?? []
        for (name, pid) in run.childPIDs().sorted(by: { $0.key < $1.key }) {
            let restarted = restarts.first { $0["name"]?.stringValue == name }?["restarts"]?.intValue ?? 0
            print("  \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) pid \(pid) \(RunDirectory.isAlive(pid) ? "running" : "NOT RUNNING")\(restarted > 0 ? ", restarted \(restarted)×" : "")")
        }
        guard let health = await EndpointProbe.ask(broker.clients, peer: "session-broker", op: Op.brokerHealth),
              health.kind == .reply, let result = health.result else {
            print("session-broker: not reachable at \(broker.clients)")
            throw ExitCode(1)
        }
        print("session-broker: \(broker.clients), \(result["sessions"]?.intValue ?? 0) session(s), \(result["in_flight"]?.intValue ?? 0) in flight")
        for bridge in result["bridges"]?.arrayValue ?? [] {
            print("  bridge \(bridge["name"]?.stringValue ?? "?"): \(bridge["instances"]?.arrayValue?.count ?? 0) Blender(s), last heartbeat \(bridge["last_seen_ms_ago"]?.intValue ?? 0) ms ago")
        }
        let instances = await EndpointProbe.ask(broker.clients, peer: "session-broker", op: Op.instanceList)?.result?["instances"]?.arrayValue ?? []
        print("Blender instances: \(instances.count)")
        for instance in instances {
            let field = { (key: String) in instance[key]?.stringValue ?? "?" }
            print("  \(field("id")): Blender \(field("blender_version")) at \(field("address")) via \(field("bridge")), \(instance["sessions"]?.intValue ?? 0) session(s), loaded: \(instance["resident_session"]?.stringValue ?? "none"), last heartbeat \(instance["last_heartbeat_ms_ago"]?.intValue ?? 0) ms ago")
        }
        if let http = status?["http"]?.stringValue {
            print("MCP endpoint: http://\(http)/mcp (Streamable HTTP); dashboard http://\(http)/")
        }
        print("MCP over stdio: clients start \(Installation.binaries.appendingPathComponent("mcp-front").path), with BMCP_BROKER_CLIENTS=\(broker.clients)")
    }
}
