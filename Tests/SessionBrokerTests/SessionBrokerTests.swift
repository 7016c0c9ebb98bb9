import BusMessages
import Foundation
import ServiceKit
import Testing
import ZeroMQ
@testable import SessionBrokerCore

/// The real broker on its own loop thread, driven over real ZeroMQ sockets by a test client
/// (DEALER on clients) and a test bridge (DEALER on workers).
final class BrokerHarness: @unchecked Sendable {
    let loop: SocketLoop
    let configuration: BrokerConfiguration
    let context: Context
    let codec = EnvelopeCodec()

    init(heartbeat: Duration = .milliseconds(100), dataDirectory: URL? = nil, idleTimeout: Duration = .seconds(600)) throws {
        let base = "ipc:///tmp/bmcp-broker-test-\(UUID().uuidString.prefix(8))/bus"
        configuration = BrokerConfiguration(
            clientsEndpoint: "\(base)-clients", workersEndpoint: "\(base)-workers",
            eventsInEndpoint: "\(base)-events-in", eventsOutEndpoint: "\(base)-events-out", heartbeat: heartbeat,
            dataDirectory: dataDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("bmcp-broker-\(UUID().uuidString)"),
            idleTimeout: idleTimeout)
        context = try Context()
        loop = try SocketLoop(name: "broker-under-test")
        let configuration = configuration
        loop.start { loop in loop.keep(try SessionBroker(loop: loop, configuration: configuration)) }
    }

    func stop() async throws {
        loop.stop()
        try await loop.finished()
    }

    func dealer(to endpoint: String, id: String? = nil) throws -> Socket {
        let socket = try context.socket(.dealer)
        if let id { try socket.set(.routingID(Data(id.utf8))) }
        try socket.set(.receiveTimeout(milliseconds: 5000))
        try socket.connect(endpoint)
        return socket
    }

    func send(_ envelope: Envelope, on socket: Socket) throws {
        try socket.send(try codec.encode(envelope))
    }

    /// Next message on `socket`, skipping heartbeats.
    func next(on socket: Socket) throws -> Envelope? {
        while let frames = try socket.receive() {
            let envelope = try codec.decode(frames.last!)
            if envelope.kind != .heartbeat { return envelope }
        }
        return nil
    }

    func ready(_ bridge: Socket, name: String = "test-bridge", instance: String = "i0", boot: String? = nil) throws {
        var announced: [String: JSONValue] = ["id": .string(instance), "capacity": 1]
        if let boot { announced["boot"] = .string(boot) }
        try send(Envelope(kind: .ready, params: ["bridge": .string(name), "instances": [.object(announced)]]), on: bridge)
    }

    /// Sends a request and returns the answer (skipping heartbeats).
    func call(_ op: String, _ params: JSONValue = [:], session: String? = nil, on client: Socket, as source: String = "client-a") throws -> Envelope? {
        try send(.request(op: op, session: session, params: params, source: source), on: client)
        return try next(on: client)
    }
}

@Suite(.serialized) struct SessionBrokerTests {
    @Test func withoutABridgeARequestFailsAtOnceWithNoBlender() async throws {
        let harness = try BrokerHarness()
        let answer = try await DedicatedThread.run {
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.send(.request(op: Op.sceneInfo), on: client)
            return try harness.next(on: client)
        }
        #expect(answer?.kind == .error)
        #expect(answer?.error?.code == ErrorCode.noBlender)
        #expect(answer?.error?.retryable == true)
        #expect(answer?.error?.message.contains("No Blender available") == true)
        try await harness.stop()
    }

    @Test func routesARequestToAReadyBridgeAndTheReplyBack() async throws {
        let harness = try BrokerHarness()
        let (forwarded, answer) = try await DedicatedThread.run { () -> (Envelope?, Envelope?) in
            let bridge = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-1")
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.waitUntilRegistered(bridge, client: client)
            // No session: routed to any live bridge (session routing is in SessionTests).
            let request = Envelope.request(op: Op.objectInfo, params: ["name": "Cube"])
            try harness.send(request, on: client)
            guard let forwarded = try harness.next(on: bridge) else { return (nil, nil) }
            try harness.send(forwarded.reply(["name": "Cube", "type": "MESH"]), on: bridge)
            return (forwarded, try harness.next(on: client))
        }
        #expect(forwarded?.kind == .request)
        #expect(forwarded?.op == Op.objectInfo)
        #expect(forwarded?.meta == nil)
        #expect(forwarded?.params == ["name": "Cube"])
        #expect(answer?.kind == .reply)
        #expect(answer?.result?["type"] == "MESH")
        try await harness.stop()
    }

    @Test func aBridgeThatGoesSilentFailsItsInFlightRequestsAsRetryable() async throws {
        let harness = try BrokerHarness(heartbeat: .milliseconds(100))
        let (answer, after) = try await DedicatedThread.run { () -> (Envelope?, Envelope?) in
            let bridge = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-silent")
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.waitUntilRegistered(bridge, client: client)
            let request = Envelope.request(op: Op.codeExecute, params: ["code": "import time; time.sleep(60)"])
            try harness.send(request, on: client)
            _ = try harness.next(on: bridge)  // received, never answered, no more heartbeats
            let answer = try harness.next(on: client)
            try harness.send(.request(op: Op.sceneInfo), on: client)
            return (answer, try harness.next(on: client))
        }
        #expect(answer?.kind == .error)
        #expect(answer?.error?.code == ErrorCode.bridgeLost)
        #expect(answer?.error?.retryable == true)
        #expect(answer?.error?.message.contains("missed 3 heartbeats") == true)
        #expect(after?.error?.code == ErrorCode.noBlender)
        try await harness.stop()
    }

    @Test func aBridgeThatSaysDisconnectIsDroppedAtOnce() async throws {
        let harness = try BrokerHarness(heartbeat: .seconds(10))
        let answer = try await DedicatedThread.run {
            let bridge = try harness.dealer(to: harness.configuration.workersEndpoint, id: "bridge-leaving")
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try harness.waitUntilRegistered(bridge, client: client)
            try harness.send(.request(op: Op.sceneInfo), on: client)
            _ = try harness.next(on: bridge)
            try harness.send(Envelope(kind: .disconnect, error: BusError(code: ErrorCode.blenderLost, message: "Blender quit")), on: bridge)
            return try harness.next(on: client)
        }
        #expect(answer?.error?.code == ErrorCode.bridgeLost)
        #expect(answer?.error?.message.contains("Blender quit") == true)
        try await harness.stop()
    }

    @Test func anUnknownBridgeIsToldToRegisterAgain() async throws {
        let harness = try BrokerHarness()
        let answer = try await DedicatedThread.run {
            let bridge = try harness.dealer(to: harness.configuration.workersEndpoint, id: "stranger")
            try harness.send(Envelope(kind: .heartbeat), on: bridge)
            return try harness.next(on: bridge)
        }
        #expect(answer?.kind == .disconnect)
        try await harness.stop()
    }

    @Test func badClientInputGetsANamedErrorAndTheBrokerKeepsServing() async throws {
        let harness = try BrokerHarness()
        let answers = try await DedicatedThread.run { () -> [Envelope?] in
            let client = try harness.dealer(to: harness.configuration.clientsEndpoint)
            try client.send(Data("{not json".utf8))
            let garbage = try harness.next(on: client)
            try client.send(Data(#"{"v": 2, "id": "r1", "kind": "request", "op": 5}"#.utf8))
            let wrongType = try harness.next(on: client)
            try harness.send(Envelope(id: "r2", kind: .reply), on: client)
            let wrongKind = try harness.next(on: client)
            try harness.send(.request(op: Op.brokerHealth), on: client)
            return [garbage, wrongType, wrongKind, try harness.next(on: client)]
        }
        #expect(answers[0]?.error?.code == ErrorCode.badMessage)
        #expect(answers[0]?.error?.message.contains("not valid JSON") == true)
        #expect(answers[1]?.id == "r1")
        #expect(answers[1]?.error?.message == "field 'op': expected a string, got number 5")
        #expect(answers[2]?.error?.message.contains("kind 'request'") == true)
        #expect(answers[3]?.kind == .reply)
        #expect(answers[3]?.result?["status"] == "ok")
        try await harness.stop()
    }

    @Test func eventsPublishedIntoTheProxyReachSubscribers() async throws {
        let harness = try BrokerHarness()
        let received = try await DedicatedThread.run { () -> [Data]? in
            let subscriber = try harness.context.socket(.sub)
            try subscriber.set(.subscribe(Data("session/".utf8)))
            try subscriber.set(.receiveTimeout(milliseconds: 100))
            try subscriber.connect(harness.configuration.eventsOutEndpoint)
            let publisher = try harness.context.socket(.pub)
            try publisher.connect(harness.configuration.eventsInEndpoint)
            for _ in 0..<100 {
                try publisher.send([Data("session/s-1".utf8), Data("payload".utf8)])
                if let frames = try subscriber.receive() { return frames }
            }
            return nil
        }
        #expect(received == [Data("session/s-1".utf8), Data("payload".utf8)])
        try await harness.stop()
    }
}

extension BrokerHarness {
    /// Says READY and waits until broker.health lists the bridge (READY and client requests
    /// travel on different connections, so ordering between them is not guaranteed).
    func waitUntilRegistered(_ bridge: Socket, client: Socket, name: String = "test-bridge", instance: String = "i0",
                             boot: String? = nil, bridges: Int = 1) throws {
        try ready(bridge, name: name, instance: instance, boot: boot)
        for _ in 0..<100 {
            try send(.request(op: Op.brokerHealth), on: client)
            if let health = try next(on: client), (health.result?["bridges"]?.arrayValue?.count ?? 0) >= bridges { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("bridge never registered")
    }
}
