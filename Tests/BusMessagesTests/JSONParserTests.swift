import Foundation
import Testing
@testable import BusMessages

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2, 3.5, 1e3, -0.25E-2, true, false, null], "b": {"c": "d"}, "e": {}, "f": []} "#)
        #expect(value == ["a": [1, -2, 3.5, 1000.0, -0.0025, true, false, nil], "b": ["c": "d"], "e": [:], "f": []])
    }

    @Test func decodesEscapesAndUnicode() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\r\b\f""#) == .string("a\"b\\c/d\n\t\r\u{8}\u{c}"))
        #expect(try parse(#""\u00e9\u6728\ud83c\udfe0""#) == .string("é木🏠"))
        #expect(try parse("\"和風 raw\"") == .string("和風 raw"))
    }

    @Test func bigIntegersBecomeDoubles() throws {
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("92233720368547758070") == .double(9.223372036854776e19))
    }

    @Test(arguments: [
        ("", "unexpected end of input at byte 0"),
        ("{\"a\" 1}", "expected ':' after key \"a\" at byte 5"),
        ("[1, 2", "unexpected end of input in an array at byte 5"),
        ("{\"a\": 1,}", "expected a string key at byte 8"),
        ("[01]", "expected ',' or ']' in an array, got '1' at byte 2"),
        ("tru", "unexpected end of input at byte 0"),
        ("\"abc", "unterminated string at byte 4"),
        ("\"\\x\"", "invalid escape \\'x' at byte 2"),
        ("\"\\ud800\"", "unpaired surrogate in \\u escape at byte 6"),
        ("1 2", "unexpected '2' after the JSON value at byte 2"),
        ("-", "invalid number at byte 1"),
        ("1.", "invalid number: digits must follow '.' at byte 2"),
        ("1e999", "number 1e999 is out of range at byte 5"),
    ])
    func malformedInputIsRefusedWithItsPlace(text: String, message: String) {
        do {
            _ = try parse(text)
            Issue.record("parsed \(text)")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Failure.self) { _ = try parse(deep) }
    }

    /// From the JSON fuzz target (Tests/Fuzz): a duplicate key keeps the last member, and the
    /// member it replaced still counts toward the depth limit, which is the text's nesting.
    @Test func duplicateKeysKeepTheLastMemberAndTheDepthLimitCountsTheText() throws {
        #expect(try parse(#"{"a": [[1]], "a": 0}"#) == ["a": 0])
        func nested(_ levels: Int) -> String { String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }
        let limit = JSONParser.maxDepth
        #expect(try parse("{\"a\": \(nested(limit - 1)), \"a\": 0}") == ["a": 0])
        do {
            _ = try parse("{\"a\": \(nested(limit)), \"a\": 0}")
            Issue.record("parsed \(limit + 1) levels")
        } catch {
            #expect((error as? JSONParser.Failure)?.problem == "nesting deeper than \(limit) levels")
        }
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let value: JSONValue = ["text": "quote \" backslash \\ newline \n tab \t bell \u{7} 木", "n": [1, 2.5, -3e-7, nil, true],
                                "nested": ["deep": [["x": 1]]]]
        let bytes = JSONWriter().bytes(value)
        #expect(try JSONParser.parse(bytes) == value)
        // Foundation agrees it is JSON.
        #expect(try JSONSerialization.jsonObject(with: Data(bytes)) is [String: Any])
    }

    @Test func writerSortsKeysWhenAsked() {
        #expect(JSONWriter(sortedKeys: true).string(["b": 1, "a": 2, "c": ["z": 0, "y": 1]]) == #"{"a":2,"b":1,"c":{"y":1,"z":0}}"#)
        #expect(JSONWriter().string(.double(.nan)) == "null")
    }
}
