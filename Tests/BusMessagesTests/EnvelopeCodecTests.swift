import Foundation
import Testing
@testable import BusMessages

@Suite struct EnvelopeCodecTests {
    let codec = EnvelopeCodec()

    @Test func roundTripKeepsEveryField() throws {
        let original = Envelope(
            id: "abc", kind: .request, op: Op.objectInfo, session: "s-1",
            params: ["name": "Cube", "depth": 2, "scale": 1.5, "tags": ["a", nil, true]],
            ts: "2026-11-25T12:00:00.000Z", seq: 42, source: "mcp-front")
        let decoded = try codec.decode(try codec.encode(original))
        #expect(decoded == original)
        #expect(decoded.params?["depth"]?.intValue == 2)
        #expect(decoded.params?["scale"]?.doubleValue == 1.5)
    }

    @Test func replyAndFailureKeepIdOpAndSession() {
        let request = Envelope.request(op: Op.sceneInfo, session: "s-9")
        let reply = request.reply(["ok": true])
        let failure = request.failure(BusError(code: ErrorCode.noBlender, message: "none", retryable: true))
        #expect(reply.id == request.id && reply.op == Op.sceneInfo && reply.session == "s-9" && reply.kind == .reply)
        #expect(failure.kind == .error && failure.error?.retryable == true && failure.id == request.id)
    }

    @Test func malformedJSONIsNamed() {
        #expect(throws: EnvelopeDecodingError.self) { try codec.decode(Data("{\"v\": 2, ".utf8)) }
        do {
            _ = try codec.decode(Data("not json at all".utf8))
            Issue.record("decoded garbage")
        } catch {
            #expect(error.description.hasPrefix("message is not valid JSON"))
        }
    }

    @Test func missingFieldIsNamed() {
        do {
            _ = try codec.decode(Data(#"{"v": 2, "kind": "request"}"#.utf8))
            Issue.record("decoded an envelope without id")
        } catch {
            #expect(error == .invalidField(path: "id", problem: "required but missing"))
            #expect(error.description == "field 'id': required but missing")
        }
    }

    @Test func wrongTypeIsNamedWithExpectation() {
        do {
            _ = try codec.decode(Data(#"{"v": 2, "id": 7, "kind": "request"}"#.utf8))
            Issue.record("decoded a numeric id")
        } catch {
            #expect(error == .invalidField(path: "id", problem: "expected a string, got number 7"))
        }
    }

    @Test func unknownKindListsTheValidOnes() {
        do {
            _ = try codec.decode(Data(#"{"v": 2, "id": "x", "kind": "shout"}"#.utf8))
            Issue.record("decoded an unknown kind")
        } catch {
            guard case .invalidField(let path, let problem) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(path == "kind")
            #expect(problem.contains("request|reply|error|event|ready|heartbeat|disconnect"))
            #expect(problem.contains("\"shout\""))
        }
    }

    @Test func nestedErrorFieldPathIsDotted() {
        do {
            _ = try codec.decode(Data(#"{"v": 2, "id": "x", "kind": "error", "error": {"code": "c", "message": 5, "retryable": false}}"#.utf8))
            Issue.record("decoded a numeric message")
        } catch {
            #expect(error == .invalidField(path: "error.message", problem: "expected a string, got number 5"))
        }
    }

    @Test func otherVersionsAreRefused() {
        do {
            _ = try codec.decode(Data(#"{"v": 1, "id": "x", "kind": "request"}"#.utf8))
            Issue.record("accepted v1")
        } catch {
            #expect(error == .unsupportedVersion(1))
            #expect(error.description.contains("v2"))
        }
    }

    @Test func oversizedMessagesAreRefusedBeforeParsing() throws {
        let small = EnvelopeCodec(limit: 64)
        let big = Envelope.request(op: Op.codeExecute, params: ["code": .string(String(repeating: "x", count: 200))])
        #expect(throws: EnvelopeDecodingError.self) { _ = try small.encode(big) }
        #expect(throws: EnvelopeDecodingError.self) { _ = try small.decode(Data(repeating: 0x20, count: 65)) }
        let data = try codec.encode(big)
        do {
            _ = try small.decode(data)
            Issue.record("accepted an oversized message")
        } catch {
            #expect(error == .tooLarge(bytes: data.count, limit: 64))
            #expect(error.busError.code == ErrorCode.badMessage)
        }
    }

    @Test func salvagesTheIdOfABrokenEnvelope() {
        #expect(EnvelopeCodec.salvageID(from: Data(#"{"id": "keep-me", "kind": 3}"#.utf8)) == "keep-me")
        #expect(EnvelopeCodec.salvageID(from: Data("garbage".utf8)) == nil)
    }

    @Test func timestampsAreRFC3339WithMilliseconds() {
        let stamp = Timestamp.format(Date(timeIntervalSince1970: 1_764_072_000.25))
        #expect(stamp == "2025-11-25T12:00:00.250Z")
    }
}

@Suite struct JSONValueTests {
    @Test func decodesEveryJSONType() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"n": null, "b": false, "i": -3, "d": 0.5, "s": "x", "a": [1], "o": {}}"#.utf8))
        #expect(value["n"] == .null)
        #expect(value["b"] == .bool(false))
        #expect(value["i"] == .int(-3))
        #expect(value["d"] == .double(0.5))
        #expect(value["s"] == .string("x"))
        #expect(value["a"] == .array([.int(1)]))
        #expect(value["o"] == .object([:]))
    }

    @Test func typeNamesAndDescriptionsServeErrorMessages() {
        #expect(JSONValue.int(42).typeName == "number")
        #expect(JSONValue.string("Cube").description == "\"Cube\"")
        #expect(JSONValue.array([1, 2]).description == "an array of 2")
    }
}
