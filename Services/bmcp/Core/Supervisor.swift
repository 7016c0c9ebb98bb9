import BusMessages
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// What `bmcp up` runs: Blenders to start (each on its own addon port), Blenders to attach to,
/// and how many bridges share them.
struct SupervisorPlan: Sendable {
    var binaries: URL
    var addonDirectory: URL
    var blender: String?
    var blenders: Int
    var bridges: Int
    var attached: [String]
    var addonHost: String
    var firstAddonPort: Int
    var run: RunDirectory
    var environment: [String: String]
    /// Where mcp-front serves HTTP (MCP, API, dashboard), or nil for none.
    var http: String?
    var secrets: Secrets

    /// The Blenders and bridges also get the addon token; the other services need not know it.
    var addonEnvironment: [String: String] {
        environment.merging(["BMCP_ADDON_TOKEN": secrets.addonToken]) { $1 }
    }
}

/// Starts N headless Blenders with the addon and the services (session-broker, log-writer,
/// prompt-service, M blender-bridges sharing the Blenders), restarts any that die with
/// backoff, keeps pid files and logs under BMCP_DATA, and stops everything on SIGTERM/SIGINT.
struct Supervisor: Service, CustomStringConvertible {
    let plan: SupervisorPlan
    let logger: Logger

    /// What swift-service-lifecycle logs for this service: never the plan, whose environment
    /// carries the secrets (its debug log printed them before).
    var description: String { "Supervisor(\(plan.blenders) Blenders, \(plan.attached.count) attached, data \(plan.run.data.path))" }

    func run() async throws {
        try plan.run.create()
        try String(getpid()).write(to: plan.run.supervisorPID, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: plan.run.supervisorPID) }
        let children = makeChildren()
        do {
            for child in children {
                let offset = child.logSize
                try await child.start()
                if child.name.hasPrefix("blender-") && !child.name.hasPrefix("blender-bridge") {
                    let ready = try await child.waitForLine(startingWith: "BMCP_ADDON_READY", after: offset, timeout: .seconds(60))
                    logger.info("\(child.name) ready: \(ready)")
                }
            }
            writeStatus(children)
            FileHandle.standardOutput.write(Data((ConnectionHelp(plan: plan).text() + "\n").utf8))
            try await keepRunning(children)
        } catch is CancellationError {
        } catch {
            await stopAll(children)
            throw error
        }
        await stopAll(children)
        try? FileManager.default.removeItem(at: plan.run.status)
    }

    var addonAddresses: [String] {
        (0..<plan.blenders).map { "\(plan.addonHost):\(plan.firstAddonPort + $0)" } + plan.attached
    }

    private func makeChildren() -> [SupervisedProcess] {
        var children: [SupervisedProcess] = []
        if let blender = plan.blender {
            for index in 0..<plan.blenders {
                children.append(SupervisedProcess(
                    name: "blender-\(index)", executable: URL(fileURLWithPath: blender),
                    arguments: ["-b", "--factory-startup", "--python", plan.addonDirectory.appendingPathComponent("serve.py").path,
                                "--", "--host", plan.addonHost, "--port", String(plan.firstAddonPort + index)],
                    environment: plan.addonEnvironment, run: plan.run))
            }
        }
        for service in ["session-broker", "log-writer", "prompt-service"] {
            children.append(SupervisedProcess(name: service, executable: plan.binaries.appendingPathComponent(service),
                                              arguments: [], environment: plan.environment, run: plan.run))
        }
        if let http = plan.http {
            children.append(SupervisedProcess(name: "mcp-front", executable: plan.binaries.appendingPathComponent("mcp-front"),
                                              arguments: ["--http", http], environment: plan.environment, run: plan.run))
        }
        // Blenders are dealt to the bridges in turn; each bridge holds its share.
        let addresses = addonAddresses
        let bridges = max(1, min(plan.bridges, addresses.count))
        for index in 0..<bridges {
            let share = addresses.enumerated().filter { $0.offset % bridges == index }.map(\.element)
            children.append(SupervisedProcess(
                name: "blender-bridge-\(index)", executable: plan.binaries.appendingPathComponent("blender-bridge"),
                arguments: ["--name", "bridge-\(index)"] + share.flatMap { ["--addon", $0] },
                environment: plan.addonEnvironment, run: plan.run))
        }
        return children
    }

    /// Watches the children until shutdown; a child that exits is started again after its backoff.
    private func keepRunning(_ children: [SupervisedProcess]) async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for child in children {
                if let next = child.nextStart {
                    guard ContinuousClock.now >= next else { continue }
                    do {
                        try await child.start()
                        // status.json first: whoever reads the log line finds the count there.
                        writeStatus(children)
                        logger.notice("restarted \(child.name) (restart #\(child.restarts), pid \(child.pid ?? 0))")
                    } catch {
                        logger.error("\(error)")
                        _ = child.scheduleRestart()
                    }
                } else if !child.isRunning {
                    let delay = child.scheduleRestart()
                    logger.warning("\(child.name) exited; restarting in \(Int(delay.milliseconds)) ms (see \(child.logFile.path))")
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private func stopAll(_ children: [SupervisedProcess]) async {
        logger.info("stopping \(children.count) processes")
        var killed: [String] = []
        for child in children.reversed() {
            if await !child.stop(grace: .seconds(10)) { killed.append(child.name) }
        }
        if killed.isEmpty {
            logger.info("stopped \(children.count) processes, all on SIGTERM")
        } else {
            logger.warning("stopped \(children.count) processes; \(killed.joined(separator: ", ")) ignored SIGTERM for 10 s and were killed")
        }
    }

    private func writeStatus(_ children: [SupervisedProcess]) {
        let status: JSONValue = [
            "supervisor_pid": .int(Int64(getpid())), "updated_at": .string(Timestamp.now()),
            "broker": .string(plan.environment["BMCP_BROKER_CLIENTS"] ?? ""),
            "http": plan.http.map { .string($0) } ?? .null,
            "children": .array(children.map { child in
                ["name": .string(child.name), "pid": child.pid.map { .int(Int64($0)) } ?? .null,
                 "restarts": .int(Int64(child.restarts)), "log": .string(child.logFile.path)]
            }),
        ]
        try? Data(JSONWriter(sortedKeys: true).bytes(status)).write(to: plan.run.status)
    }
}

