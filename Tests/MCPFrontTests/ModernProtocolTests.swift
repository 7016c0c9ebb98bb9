import BusMessages
import Foundation
import Testing
@testable import MCPFrontCore

/// MCP 2026-07-28 over mcp-front's real stdio stack: no initialize, the envelope on every
/// request, `resultType` on every result, and the revision's errors for a bad envelope.
@Suite struct ModernProtocolTests {
    static let envelope: JSONValue = [
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": ["name": "test", "version": "1"],
        "io.modelcontextprotocol/clientCapabilities": [:],
    ]

    static func request(_ id: Int64, _ method: String, _ params: [String: JSONValue] = [:], meta: JSONValue = envelope) -> JSONValue {
        var params = params
        params["_meta"] = meta
        return ["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": .object(params)]
    }

    @Test func discoverNamesTheRevisionWithoutAHandshake() async throws {
        let harness = try await StdioHarness()
        harness.send(Self.request(1, "server/discover"))
        let answer = try #require(await harness.next())
        #expect(answer["result"]?["supportedVersions"] == ["2026-07-28"])
        #expect(answer["result"]?["resultType"] == "complete")
        #expect(answer["result"]?["ttlMs"] == 0)
        #expect(answer["result"]?["_meta"]?["io.modelcontextprotocol/serverInfo"]?["name"] == "blender-mcp")
        #expect(answer["result"]?["capabilities"]?["tools"] != nil)
        try await harness.stop()
    }

    @Test func aToolCallNeedsNoInitializeAndNamesItsSession() async throws {
        let harness = try await StdioHarness()
        harness.send(Self.request(2, "tools/call", ["name": "get_scene_info", "arguments": [:]]))
        let answer = try #require(await harness.next())
        #expect(answer["id"] == 2)
        #expect(answer["result"]?["resultType"] == "complete")
        #expect(answer["result"]?["ttlMs"] == nil)  // tool results are not cacheable
        let blocks = try #require(answer["result"]?["content"]?.arrayValue)
        #expect(blocks.first?["text"]?.stringValue?.contains("\"object_count\":3") == true)
        #expect(blocks.last?["text"]?.stringValue?.contains("\"session_id\": \"s-fake\"") == true)
        try await harness.stop()
    }

    @Test func progressComesOnTheSameStreamBeforeTheResult() async throws {
        let harness = try await StdioHarness()
        var meta = try #require(Self.envelope.objectValue)
        meta["progressToken"] = "p"
        harness.send(Self.request(3, "tools/call", ["name": "get_scene_info", "arguments": ["session_id": "s-fake"]], meta: .object(meta)))
        var methods: [String] = []
        while let message = await harness.next() {
            if message["id"] == 3 { break }
            methods.append(message["method"]?.stringValue ?? "?")
            #expect(message["params"]?["progressToken"] == "p")
        }
        #expect(methods == ["notifications/progress", "notifications/progress"])
        try await harness.stop()
    }

    @Test func anUnsupportedVersionListsTheSupportedOnes() async throws {
        let harness = try await StdioHarness()
        harness.send(Self.request(4, "tools/list", meta: ["io.modelcontextprotocol/protocolVersion": "2099-01-01",
                                                          "io.modelcontextprotocol/clientCapabilities": [:]]))
        let answer = try #require(await harness.next())
        #expect(answer["error"]?["code"] == .int(-32022))
        #expect(answer["error"]?["data"]?["supported"] == ["2026-07-28"])
        #expect(answer["error"]?["data"]?["requested"] == "2099-01-01")
        try await harness.stop()
    }

    @Test func aMissingCapabilityKeyIsInvalidParamsNamingIt() async throws {
        let harness = try await StdioHarness()
        harness.send(Self.request(5, "tools/list", meta: ["io.modelcontextprotocol/protocolVersion": "2026-07-28"]))
        let answer = try #require(await harness.next())
        #expect(answer["error"]?["code"] == .int(-32602))
        #expect(answer["error"]?["message"]?.stringValue?.contains("clientCapabilities") == true)
        try await harness.stop()
    }

    @Test func anUnknownMethodIsMethodNotFoundListingTheMethods() async throws {
        let harness = try await StdioHarness()
        harness.send(Self.request(6, "ping"))
        let answer = try #require(await harness.next())
        #expect(answer["error"]?["code"] == .int(-32601))
        #expect(answer["error"]?["message"]?.stringValue?.contains("subscriptions/listen") == true)
        try await harness.stop()
    }

    @Test func argumentsOfTheWrongTypeAreInvalidParams() async throws {
        let harness = try await StdioHarness()
        harness.send(Self.request(7, "tools/call", ["name": "get_scene_info", "arguments": "all"]))
        let answer = try #require(await harness.next())
        #expect(answer["error"]?["code"] == .int(-32602))
        #expect(answer["error"]?["message"]?.stringValue?.contains("'arguments' must be an object") == true)
        try await harness.stop()
    }

    @Test func httpHeadersMustRepeatTheBody() throws {
        let message = try #require(Self.request(8, "tools/call", ["name": "get_scene_info"]).objectValue)
        let agreeing = ["mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "get_scene_info"]
        #expect(ModernProtocol.refusal(of: message, headers: agreeing) == nil)
        #expect(ModernProtocol.refusal(of: message, headers: nil) == nil)
        var wrongMethod = agreeing
        wrongMethod["mcp-method"] = "tools/list"
        #expect(ModernProtocol.refusal(of: message, headers: wrongMethod)?.code == ModernProtocol.headerMismatch)
        var wrongName = agreeing
        wrongName["mcp-name"] = "execute_blender_code"
        #expect(ModernProtocol.refusal(of: message, headers: wrongName)?.message.contains("Mcp-Name") == true)
        var noVersion = agreeing
        noVersion["mcp-protocol-version"] = nil
        #expect(ModernProtocol.refusal(of: message, headers: noVersion)?.code == ModernProtocol.headerMismatch)
        #expect(ModernProtocol.httpStatus(for: ModernProtocol.headerMismatch) == 400)
        #expect(ModernProtocol.httpStatus(for: ModernProtocol.methodNotFound) == 404)
    }

    @Test func onlyTheVersionKeyMakesARequestModern() throws {
        #expect(ModernProtocol.isModern(try #require(Self.request(1, "tools/list").objectValue)))
        let legacy: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["name": "x", "_meta": ["progressToken": 1]]]
        #expect(!ModernProtocol.isModern(try #require(legacy.objectValue)))
        #expect(ModernProtocol.isModern(["jsonrpc": "2.0", "id": 1, "method": "server/discover"]))
    }
}
