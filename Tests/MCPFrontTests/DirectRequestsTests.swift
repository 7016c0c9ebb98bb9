import BusMessages
import Foundation
import MCP
import ServiceKit
import Testing
import ZeroMQ
@testable import MCPFrontCore

#if canImport(Glibc)
import Glibc
#endif

/// A broker stand-in on a real ROUTER: creates sessions, answers scene.info, and answers
/// code.execute only after 300 ms (so a call can be cancelled while it waits).
final class FakeBroker: @unchecked Sendable {
    let endpoint = "ipc:///tmp/bmcp-fake-broker-\(RandomID.hex(8))/clients"
    private let loop: SocketLoop

    init() throws {
        loop = try SocketLoop(name: "fake-broker")
        let endpoint = endpoint
        loop.start { loop in
            let router = try loop.makeSocket(.router)
            try loop.bind(router, to: endpoint)
            let codec = EnvelopeCodec()
            loop.watch(router) {
                while let frames = try router.receive(dontWait: true) {
                    let request = try codec.decode(frames[frames.count - 1])
                    let answer: Envelope
                    switch request.op {
                    case Op.sessionCreate: answer = request.reply(["session_id": "s-fake", "name": "fake"])
                    case Op.sceneInfo: answer = request.reply(["object_count": 3, "objects": []])
                    case Op.codeExecute: answer = request.reply(["output": "done"])
                    default: answer = request.failure(BusError(code: "bad_op", message: "fake broker: no \(request.op ?? "op")"))
                    }
                    let reply = Array(frames.dropLast()) + [try codec.encode(answer)]
                    let delay: Duration = request.op == Op.codeExecute ? .milliseconds(300) : .zero
                    loop.after(delay) { _ = try? router.send(reply, dontWait: true) }
                }
            }
        }
    }

    func stop() async throws {
        loop.stop()
        try await loop.finished()
    }
}

/// mcp-front's stdio stack (transport, SDK server, direct requests) on two pipes, with a
/// reader thread that turns the server's output into messages.
final class StdioHarness: @unchecked Sendable {
    let server: Server
    let broker: FakeBroker
    let backend: MCPBackend
    private let toServer: Int32
    private var iterator: AsyncStream<JSONValue>.Iterator

    init() async throws {
        broker = try FakeBroker()
        let nowhere = "ipc:///tmp/bmcp-nobody-\(RandomID.hex(8))"
        backend = try MCPBackend(configuration: .init(
            brokerEndpoint: broker.endpoint, logsEndpoint: nowhere + "/logs", promptsEndpoint: nowhere + "/prompts",
            eventsOutEndpoint: nowhere + "/events-out", requestTimeout: .seconds(10), session: nil))
        let calls = backend.toolCalls(for: ConnectionSession(client: "test", preset: nil))
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw POSIXError(.EMFILE) }
        toServer = input[1]
        let transport = LineStdioTransport(input: input[0], output: output[1], logger: .init(label: "test"))
        server = Server(name: "test", version: "0", capabilities: .init(tools: .init()))
        await MCPHandlers(calls: calls, resources: SessionResources(logs: backend.logs, timeout: .seconds(1))).register(on: server)
        let direct = DirectRequests(calls: calls, modern: ModernRequests(backend: backend), server: server, transport: transport)
        await transport.intercept(direct.take)
        try await server.start(transport: transport)

        let (stream, continuation) = AsyncStream<JSONValue>.makeStream()
        let fromServer = output[0]
        let reader = Thread {
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fromServer, &chunk, chunk.count)
                guard count > 0 else { break }
                pending += chunk[0..<count]
                while let newline = pending.firstIndex(of: 0x0A) {
                    if let message = try? JSONParser.parse(pending[..<newline]) { continuation.yield(message) }
                    pending.removeFirst(newline + 1)
                }
            }
            continuation.finish()
        }
        reader.start()
        iterator = stream.makeAsyncIterator()
    }

    func send(_ message: JSONValue) {
        let bytes = JSONWriter().bytes(message) + [0x0A]
        _ = bytes.withUnsafeBytes { write(toServer, $0.baseAddress, $0.count) }
    }

    func next() async -> JSONValue? {
        await iterator.next()
    }

    func handshake() async throws {
        send(["jsonrpc": "2.0", "id": 0, "method": "initialize", "params": [
            "protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"]]])
        let answer = try #require(await next())
        #expect(answer["result"]?["protocolVersion"] != nil)
        send(["jsonrpc": "2.0", "method": "notifications/initialized"])
    }

    func stop() async throws {
        close(toServer)
        await server.stop()
        await backend.shutdown()
        try await broker.stop()
    }
}

@Suite struct DirectRequestsTests {
    @Test func pingIsAnsweredWithItsOwnID() async throws {
        let harness = try await StdioHarness()
        harness.send(["jsonrpc": "2.0", "id": "p-1", "method": "ping"])
        let answer = try #require(await harness.next())
        #expect(answer == ["jsonrpc": "2.0", "id": "p-1", "result": [:]])
        try await harness.stop()
    }

    @Test func toolCallAnswersWithTheBrokersResult() async throws {
        let harness = try await StdioHarness()
        try await harness.handshake()
        harness.send(["jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": ["name": "get_scene_info", "arguments": [:]]])
        let answer = try #require(await harness.next())
        #expect(answer["id"] == 7)
        let text = try #require(answer["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue)
        #expect(text.contains("\"object_count\":3"))
        #expect(answer["result"]?["isError"] == nil)
        try await harness.stop()
    }

    @Test func badArgumentIsAToolErrorNamingIt() async throws {
        let harness = try await StdioHarness()
        try await harness.handshake()
        harness.send(["jsonrpc": "2.0", "id": 8, "method": "tools/call",
                      "params": ["name": "get_object_info", "arguments": ["object_name": 5]]])
        let answer = try #require(await harness.next())
        #expect(answer["result"]?["isError"] == true)
        let text = try #require(answer["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue)
        #expect(text.contains("'object_name'"))
        try await harness.stop()
    }

    @Test func unknownToolIsAnInvalidParamsErrorNamingIt() async throws {
        let harness = try await StdioHarness()
        try await harness.handshake()
        harness.send(["jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": ["name": "make_coffee"]])
        let answer = try #require(await harness.next())
        #expect(answer["error"]?["code"] == .int(-32602))
        #expect(answer["error"]?["message"]?.stringValue?.contains("make_coffee") == true)
        try await harness.stop()
    }

    @Test func argumentsOfTheWrongTypeAreLeftToTheSDK() async throws {
        let harness = try await StdioHarness()
        try await harness.handshake()
        harness.send(["jsonrpc": "2.0", "id": 10, "method": "tools/call", "params": ["name": "get_scene_info", "arguments": "all"]])
        let answer = try #require(await harness.next())
        #expect(answer["id"] == 10)
        #expect(answer["error"] != nil)
        try await harness.stop()
    }

    @Test func cancelledCallGetsNoResponse() async throws {
        let harness = try await StdioHarness()
        try await harness.handshake()
        harness.send(["jsonrpc": "2.0", "id": 11, "method": "tools/call",
                      "params": ["name": "execute_blender_code", "arguments": ["code": "pass"]]])
        harness.send(["jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": 11, "reason": "test"]])
        harness.send(["jsonrpc": "2.0", "id": 12, "method": "ping"])
        #expect(await harness.next()?["id"] == 12)
        // The broker answers the cancelled call meanwhile; its response would come before this.
        try await Task.sleep(for: .milliseconds(600))
        harness.send(["jsonrpc": "2.0", "id": 13, "method": "ping"])
        #expect(await harness.next()?["id"] == 13)
        try await harness.stop()
    }

    @Test func toolResultJSONKeepsEveryBlock() throws {
        let result = CallTool.Result(content: [
            .text(text: "hello", annotations: nil, _meta: nil),
            .image(data: "AAAA", mimeType: "image/png", annotations: nil, _meta: nil),
            .resourceLink(uri: "bmcp://x", name: "x"),
        ], isError: true)
        let json = MCPResultEncoder.tool(result)
        let blocks = try #require(json["content"]?.arrayValue)
        #expect(blocks.count == 3)
        #expect(blocks[0] == ["type": "text", "text": "hello"])
        #expect(blocks[1] == ["type": "image", "data": "AAAA", "mimeType": "image/png"])
        #expect(blocks[2]["uri"] == "bmcp://x")
        #expect(json["isError"] == true)
        // The same result through the SDK's own encoder parses to the same JSON.
        let viaSDK = try JSONParser.parse(try JSONEncoder().encode(result))
        #expect(viaSDK == json)
    }
}
