import BusMessages
import Foundation
import ServiceKit
import Testing
import ZeroMQ
@testable import SessionBrokerCore

/// Session ops and session-aware routing through the real broker, with test bridges standing in
/// for blender-bridge (the real chain is covered by Tests/EndToEnd).
@Suite(.serialized) struct SessionTests {
    @Test func createListGetAndRoutingCarriesTheSessionContext() async throws {
        let harness = try BrokerHarness()
        let (created, listed, forwarded, got) = try await DedicatedThread.run { () -> (Envelope?, Envelope?, Envelope?, Envelope?) in
            let bridge = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-1")
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.waitUntilRegistered(bridge, client: client)
            let created = try harness.call(Op.sessionCreate, ["name": "tea house"], on: client)
            let id = created?.result?["session_id"]?.stringValue ?? ""
            let listed = try harness.call(Op.sessionList, ["status": "active"], on: client)
            try harness.send(.request(op: Op.sceneInfo, session: id, source: "client-a"), on: client)
            let forwarded = try harness.next(on: bridge)
            if let forwarded {
                var reply = forwarded.reply(["name": "Scene"])
                reply.meta = ["session": ["id": .string(id), "checkpoint": "/tmp/x/1.blend"]]
                try harness.send(reply, on: bridge)
                _ = try harness.next(on: client)
            }
            return (created, listed, forwarded, try harness.call(Op.sessionGet, ["session_id": .string(id)], on: client))
        }
        let id = try #require(created?.result?["session_id"]?.stringValue)
        #expect(id.hasPrefix("s-"))
        #expect(created?.result?["name"] == "tea house")
        #expect(created?.result?["instance"] == "i0")
        #expect(created?.result?["owner"] == "client-a")
        #expect(listed?.result?["count"] == 1)
        let context = try #require(forwarded?.meta?["session_context"])
        #expect(context["id"] == .string(id))
        #expect(context["dir"]?.stringValue == harness.configuration.dataDirectory.appendingPathComponent("sessions/\(id)").path)
        #expect(context["expect_checkpoint"] == false)
        #expect(got?.result?["command_count"] == 1)
        #expect(got?.result?["latest_checkpoint"] == "/tmp/x/1.blend")
        try await harness.stop()
    }

    /// What `bmcp status` prints per Blender: version, address, bridge, sessions, heartbeat.
    @Test func instanceListDescribesEachBlenderWithItsSessionsAndHeartbeat() async throws {
        let harness = try BrokerHarness()
        let (created, listed) = try await DedicatedThread.run { () -> (Envelope?, Envelope?) in
            let bridge = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-1")
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.send(Envelope(kind: .ready, params: ["bridge": "bridge-0", "instances": [
                ["id": "bridge-0/0", "blender_version": "3.4.1", "address": "127.0.0.1:9876", "capacity": 1],
                ["id": "bridge-0/1", "blender_version": "4.2.0", "address": "127.0.0.1:9877", "capacity": 1]]]), on: bridge)
            for _ in 0..<100 {
                let health = try harness.call(Op.brokerHealth, on: client)
                if health?.result?["bridges"]?.arrayValue?.isEmpty == false { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
            let created = try harness.call(Op.sessionCreate, ["instance": "bridge-0/1"], on: client)
            return (created, try harness.call(Op.instanceList, on: client))
        }
        #expect(created?.result?["instance"] == "bridge-0/1")
        let instances = try #require(listed?.result?["instances"]?.arrayValue)
        #expect(instances.map { $0["id"] } == ["bridge-0/0", "bridge-0/1"])
        #expect(instances.map { $0["blender_version"] } == ["3.4.1", "4.2.0"])
        #expect(instances.map { $0["address"] } == ["127.0.0.1:9876", "127.0.0.1:9877"])
        #expect(instances.map { $0["bridge"] } == ["bridge-0", "bridge-0"])
        #expect(instances.map { $0["sessions"] } == [0, 1])
        #expect(instances.allSatisfy { ($0["last_heartbeat_ms_ago"]?.intValue ?? -1) >= 0 })
        try await harness.stop()
    }

    @Test func badSessionRequestsGetPreciseErrors() async throws {
        let harness = try BrokerHarness()
        let answers = try await DedicatedThread.run { () -> [Envelope?] in
            let bridge = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-1")
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.waitUntilRegistered(bridge, client: client)
            let created = try harness.call(Op.sessionCreate, [:], on: client, as: "client-a")
            let id = JSONValue.string(created?.result?["session_id"]?.stringValue ?? "")
            return [
                try harness.call(Op.sceneInfo, session: "s-nope", on: client),
                try harness.call(Op.sessionGet, [:], on: client),
                try harness.call(Op.sessionGet, ["session_id": 5], on: client),
                try harness.call(Op.sessionList, ["status": "sleepy"], on: client),
                try harness.call(Op.sessionCreate, ["session_id": "../escape"], on: client),
                try harness.call(Op.sessionAttach, ["session_id": id], on: client, as: "client-b"),
                try harness.call(Op.sessionAttach, ["session_id": id, "force": true], on: client, as: "client-b"),
                try harness.closeAnsweringRelease(id, on: client, bridge: bridge, as: "client-b"),
                try harness.call(Op.sceneInfo, session: id.stringValue, on: client, as: "client-b"),
                try harness.call(Op.sessionCreate, ["instance": "nowhere"], on: client),
            ]
        }
        #expect(answers[0]?.error?.code == ErrorCode.unknownSession)
        #expect(answers[0]?.error?.message.contains("s-nope") == true)
        #expect(answers[1]?.error?.message == "session.get: missing required param 'session_id'")
        #expect(answers[2]?.error?.message == "session.get: param 'session_id' must be a string, got number 5")
        #expect(answers[3]?.error?.message.contains("active, idle, closed, lost") == true)
        #expect(answers[4]?.error?.code == ErrorCode.badParams)
        #expect(answers[5]?.error?.code == ErrorCode.sessionInUse)
        #expect(answers[5]?.error?.message.contains("client-a") == true)
        #expect(answers[6]?.result?["owner"] == "client-b")
        #expect(answers[7]?.result?["state"] == "closed")
        #expect(answers[8]?.error?.code == ErrorCode.sessionClosed)
        #expect(answers[9]?.error?.code == ErrorCode.unknownInstance)
        try await harness.stop()
    }

    @Test func aLostBridgesSessionsAreRehomedWithTheirCheckpoint() async throws {
        let harness = try BrokerHarness(heartbeat: .seconds(10))
        let (forwarded, answer, lost) = try await DedicatedThread.run { () -> (Envelope?, Envelope?, Envelope?) in
            let first = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-1")
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.waitUntilRegistered(first, client: client, name: "b1", instance: "b1/i")
            let id = try harness.call(Op.sessionCreate, [:], on: client)?.result?["session_id"]?.stringValue ?? ""
            try harness.send(Envelope(kind: .event, op: EventName.sessionCheckpointed, session: id, params: ["path": "/cp/1.blend"]), on: first)
            let second = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-2")
            try harness.waitUntilRegistered(second, client: client, name: "b2", instance: "b2/i", bridges: 2)
            try harness.send(Envelope(kind: .disconnect, error: BusError(code: ErrorCode.blenderLost, message: "Blender died")), on: first)
            Thread.sleep(forTimeInterval: 0.1)
            let lost = try harness.call(Op.sessionGet, ["session_id": .string(id)], on: client)
            try harness.send(.request(op: Op.sceneInfo, session: id, source: "client-a"), on: client)
            // First the scene comes back (its checkpoint, then the journal after it), then the command.
            guard let restore = try harness.next(on: second), restore.op == Op.sessionRestore else { return (nil, nil, lost) }
            try harness.send(restore.reply(["restored_from": "/cp/1.blend", "journal_seq": 0, "skipped": [], "resident": false]), on: second)
            guard let forwarded = try harness.next(on: second) else { return (nil, nil, lost) }
            var reply = forwarded.reply(["name": "Scene"])
            reply.meta = ["session": ["id": .string(id)]]
            try harness.send(reply, on: second)
            return (forwarded, try harness.next(on: client), lost)
        }
        #expect(lost?.result?["state"] == "lost")
        #expect(forwarded?.meta?["session_context"]?["expect_checkpoint"] == true)
        let session = try #require(answer?.meta?["session"])
        #expect(session["rehomed"] == true)
        #expect(session["from_instance"] == "b1/i")
        #expect(session["to_instance"] == "b2/i")
        #expect(session["restored_from"] == "/cp/1.blend")
        #expect(session["replayed"] == 0)
        try await harness.stop()
    }

    /// A compose worker killed and brought back by its restart policy: a new bridge announces
    /// the same instance id before the old one's heartbeats ran out. With a new boot id its
    /// Blender is new, so the session is restored on another instance; with the same boot only
    /// the bridge restarted and the session stays where its scene still is.
    @Test(arguments: [("boot-2", true), ("boot-1", false)])
    func aWorkerRestartedUnderTheSameIdIsToldApartByItsBoot(boot: String, blenderRestarted: Bool) async throws {
        let harness = try BrokerHarness(heartbeat: .seconds(10))
        let (state, forwarded) = try await DedicatedThread.run { () -> (JSONValue?, Envelope?) in
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            let first = try harness.dealer(to: harness.configuration.workersEndpoint, id: "worker-a")
            try harness.waitUntilRegistered(first, client: client, name: "a", instance: "a/i", boot: "boot-1")
            let other = try harness.dealer(to: harness.configuration.workersEndpoint, id: "worker-b")
            try harness.waitUntilRegistered(other, client: client, name: "b", instance: "b/i", boot: "boot-b", bridges: 2)
            let id = try harness.call(Op.sessionCreate, [:], on: client)?.result?["session_id"]?.stringValue ?? ""
            guard try harness.call(Op.sessionGet, ["session_id": .string(id)], on: client)?.result?["instance"] == "a/i" else {
                Issue.record("the session was not placed on a/i")
                return (nil, nil)
            }
            try harness.send(Envelope(kind: .event, op: EventName.sessionCheckpointed, session: id, params: ["path": "/cp/a.blend"]), on: first)
            // The old bridge never says goodbye: its container was killed.
            let restarted = try harness.dealer(to: harness.configuration.workersEndpoint, id: "worker-a-again")
            try harness.ready(restarted, name: "a", instance: "a/i", boot: boot)
            var state: JSONValue?
            for _ in 0..<50 {
                state = try harness.call(Op.sessionGet, ["session_id": .string(id)], on: client)?.result?["state"]
                if state == "lost" { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
            try harness.send(.request(op: Op.sceneInfo, session: id, source: "client-a"), on: client)
            return (state, try harness.next(on: blenderRestarted ? other : restarted))
        }
        if blenderRestarted {
            #expect(state == "lost")
            #expect(forwarded?.op == Op.sessionRestore)
        } else {
            #expect(state == "active")
            #expect(forwarded?.op == Op.sceneInfo)
        }
        try await harness.stop()
    }

    /// The compose test's empty scene: log-writer's snapshot (an observer) was the first request
    /// to meet a killed worker's dead connection. Its failed send dropped the bridge, and the
    /// next round placed the session from a stale copy: moved it, and skipped the restore (an
    /// observer never restores), so the client's next command found an empty scene.
    @Test func anObserverMeetingADeadBridgeNeitherMovesTheSessionNorSkipsItsRestore() async throws {
        let harness = try BrokerHarness(heartbeat: .seconds(10))
        let (observed, forwarded) = try await DedicatedThread.run { () -> (Envelope?, Envelope?) in
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            let first = try harness.dealer(to: harness.configuration.workersEndpoint, id: "worker-a")
            try harness.waitUntilRegistered(first, client: client, name: "a", instance: "a/i")
            let other = try harness.dealer(to: harness.configuration.workersEndpoint, id: "worker-b")
            try harness.waitUntilRegistered(other, client: client, name: "b", instance: "b/i", bridges: 2)
            let id = try harness.call(Op.sessionCreate, [:], on: client)?.result?["session_id"]?.stringValue ?? ""
            guard try harness.call(Op.sessionGet, ["session_id": .string(id)], on: client)?.result?["instance"] == "a/i" else {
                Issue.record("the session was not placed on a/i")
                return (nil, nil)
            }
            first.close()  // killed: no goodbye, no missed heartbeat yet
            Thread.sleep(forTimeInterval: 0.3)
            var look = Envelope.request(op: Op.sceneSnapshot, session: id, source: "log-writer")
            look.meta = ["observe": true]
            try harness.send(look, on: client)
            let observed = try harness.next(on: client)
            try harness.send(.request(op: Op.sceneInfo, session: id, source: "client-a"), on: client)
            return (observed, try harness.next(on: other))
        }
        #expect(observed?.kind == .error && observed?.error?.code == ErrorCode.sessionNotLoaded, "\(String(describing: observed))")
        #expect(forwarded?.op == Op.sessionRestore, "the client's command ran without the session's restore: \(String(describing: forwarded))")
        try await harness.stop()
    }

    @Test func aBridgeAnsweringForAnotherSessionIsRefused() async throws {
        let harness = try BrokerHarness()
        let answer = try await DedicatedThread.run { () -> Envelope? in
            let bridge = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-1")
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.waitUntilRegistered(bridge, client: client)
            let id = try harness.call(Op.sessionCreate, [:], on: client)?.result?["session_id"]?.stringValue ?? ""
            try harness.send(.request(op: Op.sceneInfo, session: id, source: "client-a"), on: client)
            guard let forwarded = try harness.next(on: bridge) else { return nil }
            var reply = forwarded.reply(["objects": []])
            reply.meta = ["session": ["id": "s-someone-else"]]
            try harness.send(reply, on: bridge)
            return try harness.next(on: client)
        }
        #expect(answer?.kind == .error)
        #expect(answer?.error?.message.contains("s-someone-else") == true)
        try await harness.stop()
    }

    @Test func sessionsSurviveABrokerRestart() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bmcp-restart-\(UUID().uuidString)")
        let first = try BrokerHarness(dataDirectory: data)
        let ids = try await DedicatedThread.run { () -> [String] in
            let client = try first.dealer(to: first.configuration.clientsEndpoint)
            return try (0..<3).map { index in
                try first.call(Op.sessionCreate, ["name": .string("s\(index)")], on: client)?.result?["session_id"]?.stringValue ?? ""
            }
        }
        try await first.stop()
        let second = try BrokerHarness(dataDirectory: data)
        let listed = try await DedicatedThread.run { () -> Envelope? in
            let client = try second.dealer(to: second.configuration.clientsEndpoint)
            return try second.call(Op.sessionList, [:], on: client)
        }
        let names = Set(listed?.result?["sessions"]?.arrayValue?.compactMap { $0["session_id"]?.stringValue } ?? [])
        #expect(names == Set(ids))
        try await second.stop()
    }

    @Test func idleSessionsAreReleasedAndMarkedIdle() async throws {
        let harness = try BrokerHarness(heartbeat: .milliseconds(100), idleTimeout: .milliseconds(400))
        let (release, state) = try await DedicatedThread.run { () -> (Envelope?, Envelope?) in
            let bridge = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-1")
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.waitUntilRegistered(bridge, client: client)
            let id = try harness.call(Op.sessionCreate, [:], on: client)?.result?["session_id"]?.stringValue ?? ""
            try harness.send(.request(op: Op.sceneInfo, session: id, source: "client-a"), on: client)
            if let work = try harness.next(on: bridge) { try harness.send(work.reply([:]), on: bridge) }
            _ = try harness.next(on: client)
            // Keep the bridge alive while the sweep runs; the next request it gets is the release.
            var release: Envelope?
            for _ in 0..<50 where release == nil {
                try harness.send(Envelope(kind: .heartbeat), on: bridge)
                try bridge.set(.receiveTimeout(milliseconds: 100))
                if let frames = try bridge.receive(), let message = try? harness.codec.decode(frames.last!), message.kind == .request {
                    release = message
                }
            }
            if let release { try harness.send(release.reply(["checkpoint": "/cp/idle.blend"]), on: bridge) }
            Thread.sleep(forTimeInterval: 0.1)
            return (release, try harness.call(Op.sessionGet, ["session_id": .string(id)], on: client))
        }
        #expect(release?.op == Op.sessionRelease)
        #expect(state?.result?["state"] == "idle")
        #expect(state?.result?["latest_checkpoint"] == "/cp/idle.blend")
        try await harness.stop()
    }
}

extension BrokerHarness {
    /// session.close sends session.release to the instance; the test bridge answers it.
    func closeAnsweringRelease(_ id: JSONValue, on client: Socket, bridge: Socket, as source: String) throws -> Envelope? {
        try send(.request(op: Op.sessionClose, params: ["session_id": id], source: source), on: client)
        guard let release = try next(on: bridge), release.op == Op.sessionRelease else { return nil }
        try send(release.reply(["checkpoint": nil, "released": false]), on: bridge)
        return try next(on: client)
    }
}
