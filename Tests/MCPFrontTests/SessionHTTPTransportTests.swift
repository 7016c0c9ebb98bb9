import Foundation
import MCP
import Logging
import Testing
@testable import MCPFrontCore

/// The handshake-era HTTP transport, driven the way Hummingbird and the SDK's server drive it:
/// HTTP requests in through `handleRequest`, the server's messages in through `send`.
@Suite struct SessionHTTPTransportTests {
    static let headers = ["Accept": "application/json, text/event-stream", "Content-Type": "application/json"]

    static func transport(replayBytes: Int = 1 << 20) async throws -> SessionHTTPTransport {
        let transport = SessionHTTPTransport(
            validation: StandardValidationPipeline(validators: [
                AcceptHeaderValidator(mode: .sseRequired), ContentTypeValidator(), ProtocolVersionValidator(), SessionValidator(),
            ]),
            retryInterval: 1000, replayBytes: replayBytes, logger: Logger(label: "test"))
        try await transport.connect()
        return transport
    }

    /// POSTs `body` and returns the response, with the session header once there is one.
    static func post(_ transport: SessionHTTPTransport, _ body: String, session: String? = nil) async -> MCP.HTTPResponse {
        var headers = Self.headers
        if let session {
            headers[HTTPHeaderName.sessionID] = session
            headers[HTTPHeaderName.protocolVersion] = "2025-06-18"
        }
        return await transport.handleRequest(MCP.HTTPRequest(method: "POST", headers: headers, body: Data(body.utf8)))
    }

    static func initialize(_ transport: SessionHTTPTransport) async throws -> String {
        let response = await post(transport, #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
        let session = try #require(response.headers[HTTPHeaderName.sessionID])
        try await transport.send(Data(#"{"jsonrpc":"2.0","id":0,"result":{}}"#.utf8))
        return session
    }

    /// Every chunk of a stream that ends.
    static func text(of response: MCP.HTTPResponse) async throws -> String {
        guard case .stream(let stream, _) = response else { Issue.record("not a stream: \(response.statusCode)"); return "" }
        var all = ""
        for try await chunk in stream { all += String(decoding: chunk, as: UTF8.self) }
        return all
    }

    static func message(_ text: String) -> String { String(text.split(separator: "\n").first { $0.hasPrefix("data: {") }!.dropFirst(6)) }

    @Test func progressTravelsOnTheCallsOwnStreamAheadOfItsResult() async throws {
        let transport = try await Self.transport()
        let session = try await Self.initialize(transport)
        let call = await Self.post(transport, #"{"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"x","_meta":{"progressToken":"p-1"}}}"#, session: session)
        try await transport.send(Data(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p-1","progress":1}}"#.utf8))
        try await transport.send(Data(#"{"jsonrpc":"2.0","method":"notifications/resources/list_changed"}"#.utf8))
        try await transport.send(Data(#"{"jsonrpc":"2.0","id":"c1","result":{"content":[]}}"#.utf8))
        let text = try await Self.text(of: call)
        let progress = try #require(text.range(of: "notifications/progress"))
        let result = try #require(text.range(of: #""result""#))
        #expect(progress.lowerBound < result.lowerBound)
        // Not about this call: it waits for the GET stream instead.
        #expect(!text.contains("list_changed"))
    }

    @Test func aBrokenStreamResumesFromItsLastEventAndGetsTheResult() async throws {
        let transport = try await Self.transport()
        let session = try await Self.initialize(transport)
        let call = await Self.post(transport, #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x"}}"#, session: session)
        guard case .stream(let stream, _) = call else { Issue.record("no stream"); return }
        var iterator = stream.makeAsyncIterator()
        let priming = String(decoding: try #require(try await iterator.next()), as: UTF8.self)
        let primingID = try #require(priming.split(separator: "\n").first { $0.hasPrefix("id: ") }).dropFirst(4)
        // The client lost the stream after the priming event; the result is held for it.
        try await transport.send(Data(#"{"jsonrpc":"2.0","id":7,"result":{"answer":42}}"#.utf8))
        var headers = Self.headers
        headers[HTTPHeaderName.sessionID] = session
        headers[HTTPHeaderName.lastEventID] = String(primingID)
        let resumed = await transport.handleRequest(MCP.HTTPRequest(method: "GET", headers: headers))
        let text = try await Self.text(of: resumed)  // ends: the call is over
        #expect(Self.message(text).contains(#""answer":42"#))
    }

    @Test func resumingFromAnEventThatWasPushedOutNamesTheSetting() async throws {
        let transport = try await Self.transport(replayBytes: 4096)
        let session = try await Self.initialize(transport)
        let big = String(repeating: "x", count: 1000)
        for id in 1...20 {
            let call = await Self.post(transport, #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{}}"#, session: session)
            try await transport.send(Data(#"{"jsonrpc":"2.0","id":\#(id),"result":{"text":"\#(big)"}}"#.utf8))
            _ = try await Self.text(of: call)
        }
        let held = await transport.replayHeld
        #expect(held.bytes <= 4096)
        #expect(held.events > 0)
        var headers = Self.headers
        headers[HTTPHeaderName.sessionID] = session
        headers[HTTPHeaderName.lastEventID] = "2"
        let old = await transport.handleRequest(MCP.HTTPRequest(method: "GET", headers: headers))
        #expect(old.statusCode == 400)
        #expect(String(decoding: old.bodyData ?? Data(), as: UTF8.self).contains("BMCP_SSE_REPLAY_BYTES"))
        headers[HTTPHeaderName.lastEventID] = "999999"
        let never = await transport.handleRequest(MCP.HTTPRequest(method: "GET", headers: headers))
        #expect(never.statusCode == 400)
        #expect(String(decoding: never.bodyData ?? Data(), as: UTF8.self).contains("not an event of this MCP session"))
    }

    @Test func oneGetStreamAtATimeAndADroppedOneCanBeOpenedAgain() async throws {
        let transport = try await Self.transport()
        let session = try await Self.initialize(transport)
        var headers = Self.headers
        headers[HTTPHeaderName.sessionID] = session
        headers[HTTPHeaderName.protocolVersion] = "2025-06-18"
        let first = await transport.handleRequest(MCP.HTTPRequest(method: "GET", headers: headers))
        #expect(first.statusCode == 200)
        let second = await transport.handleRequest(MCP.HTTPRequest(method: "GET", headers: headers))
        #expect(second.statusCode == 409)
        // The client hangs up: its stream is forgotten, and a new GET is served.
        if case .stream(let stream, _) = first {
            let reader = Task { for try await _ in stream {} }
            reader.cancel()
            _ = await reader.result
        }
        var reopened = await transport.handleRequest(MCP.HTTPRequest(method: "GET", headers: headers))
        for _ in 0..<50 where reopened.statusCode == 409 {
            try await Task.sleep(for: .milliseconds(20))
            reopened = await transport.handleRequest(MCP.HTTPRequest(method: "GET", headers: headers))
        }
        #expect(reopened.statusCode == 200)
    }

    @Test func badRequestsAreRefusedWithWhatWasWrong() async throws {
        let transport = try await Self.transport()
        let empty = await Self.post(transport, "")
        #expect(empty.statusCode == 400)
        let notRPC = await Self.post(transport, #"{"hello":1}"#)
        #expect(notRPC.statusCode == 400)
        let session = try await Self.initialize(transport)
        let again = await Self.post(transport, #"{"jsonrpc":"2.0","id":9,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}"#, session: session)
        #expect(again.statusCode == 400)
        let put = await transport.handleRequest(MCP.HTTPRequest(method: "PUT", headers: Self.headers))
        #expect(put.statusCode == 405)
        let note = await Self.post(transport, #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, session: session)
        #expect(note.statusCode == 202)
        var headers = Self.headers
        headers[HTTPHeaderName.sessionID] = session
        let delete = await transport.handleRequest(MCP.HTTPRequest(method: "DELETE", headers: headers))
        #expect(delete.statusCode == 200)
        let after = await Self.post(transport, #"{"jsonrpc":"2.0","id":10,"method":"ping"}"#, session: session)
        #expect(after.statusCode == 404)
        await #expect(throws: (any Error).self) { try await transport.send(Data("{}".utf8)) }
    }

    @Test func messageKinds() {
        #expect(SessionHTTPTransport.kind(of: Data(#"{"id":3,"method":"tools/call","params":{"_meta":{"progressToken":5}}}"#.utf8))
                == .request(id: "3", method: "tools/call", progressToken: "5"))
        #expect(SessionHTTPTransport.kind(of: Data(#"{"method":"notifications/progress","params":{"progressToken":"a"}}"#.utf8))
                == .notification(method: "notifications/progress", progressToken: #""a""#))
        #expect(SessionHTTPTransport.kind(of: Data(#"{"id":"r","error":{"code":1}}"#.utf8)) == .response(id: "r"))
        #expect(SessionHTTPTransport.kind(of: Data(#"[1]"#.utf8)) == nil)
        #expect(SessionHTTPTransport.kind(of: Data(#"{"id":1}"#.utf8)) == nil)
    }

    @Test func theReplayBufferDropsTheOldestFirstAndNeverHoldsMoreThanItsBytes() {
        var buffer = ReplayBuffer(limitBytes: 1000)
        for n in 0..<5000 { _ = buffer.append(stream: "s\(n % 3)", message: Data(repeating: 65, count: n % 200)) }
        #expect(buffer.heldBytes <= 1000)
        #expect(buffer.count > 0)
        let tooBig = buffer.append(stream: "s", message: Data(count: 5000))
        #expect(tooBig == 5001)
        guard case .failure(.evicted) = buffer.replay(after: "5001") else { Issue.record("a message over the budget is not held"); return }
        guard case .failure(.unknown) = buffer.replay(after: "abc") else { Issue.record("not a number"); return }
        guard case .success(let found) = buffer.replay(after: "5000") else { Issue.record("the newest held event"); return }
        #expect(found.stream == "s\(4999 % 3)")
        #expect(found.events.isEmpty)
    }
}
