// libFuzzer target for JSONParser (Shared/BusMessages/JSONParser.swift). Properties checked on
// every input, beyond "does not crash":
//  1. parse either returns a value or throws a Failure whose offset lies within the input;
//  2. contiguous ([UInt8]), non-contiguous (lazy collection) and offset Data-slice inputs give
//     the same outcome (the parser has two paths into its buffer);
//  3. anything that parses has at most JSONParser.maxDepth levels of nesting, re-encodes with
//     JSONWriter (both key orders) to valid UTF-8 that parses back to an equal value, and the
//     sorted encoding is a fixed point;
//  4. leading whitespace shifts a failure's offset by exactly its length and changes nothing
//     else; trailing whitespace changes nothing;
//  5. the depth limit is exact: a document nested d levels deep wrapped in maxDepth - d arrays
//     parses, one more array is refused with the nesting error. (d is the document's nesting,
//     not the value's: with a duplicate key the deeper member may be the one overwritten.)
import BusMessages
import Foundation

func depth(_ value: JSONValue) -> Int {
    switch value {
    case .array(let elements): 1 + (elements.map(depth).max() ?? 0)
    case .object(let members): 1 + (members.values.map(depth).max() ?? 0)
    default: 0
    }
}

/// How deeply the text nests, for a document that parsed (so its strings are well formed).
func nesting(_ bytes: [UInt8]) -> Int {
    var level = 0, deepest = 0, inString = false, escaped = false
    for byte in bytes {
        if inString {
            if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            continue
        }
        switch byte {
        case 0x22: inString = true
        case 0x5B, 0x7B: level += 1; deepest = max(deepest, level)
        case 0x5D, 0x7D: level -= 1
        default: break
        }
    }
    return deepest
}

enum Outcome: Equatable {
    case value(JSONValue)
    case failure(JSONParser.Failure)
}

func outcome<Bytes: Collection>(_ bytes: Bytes) -> Outcome where Bytes.Element == UInt8 {
    do { return .value(try JSONParser.parse(bytes)) } catch { return .failure(error) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))
    let result = outcome(input)

    // 2. every way of handing the parser its bytes agrees
    require(outcome(input.lazy.map { $0 }) == result, "non-contiguous input parsed differently")
    let sliced = (Data([0x7B]) + Data(input)).dropFirst()  // a Data slice whose startIndex is 1
    require(outcome(sliced) == result, "Data slice parsed differently")

    // 4. whitespace around the document
    let lead: [UInt8] = [0x20, 0x0A, 0x09, 0x0D]
    let trail: [UInt8] = [0x0D, 0x0A, 0x20]
    switch (result, outcome(lead + input), outcome(input + trail)) {
    case (.value(let v), .value(let led), .value(let trailed)):
        require(led == v && trailed == v, "whitespace changed the value")
    case (.failure(let f), .failure(let led), .failure):
        require(led.offset == f.offset + lead.count && led.problem == f.problem,
                "leading whitespace moved the failure from \(f) to \(led)")
    default:
        violated("whitespace changed whether the input parses")
    }

    switch result {
    case .failure(let failure):
        // 1. a failure points into the input
        require(failure.offset >= 0 && failure.offset <= count, "failure offset \(failure.offset) outside 0...\(count)")
        require(!failure.problem.isEmpty, "failure without a problem")
    case .value(let value):
        // 3. limits and round trip
        let d = nesting(input)
        require(d <= JSONParser.maxDepth, "parsed a document nested \(d) levels deep")
        require(depth(value) <= d, "the value is deeper than the text")
        for writer in [JSONWriter(), JSONWriter(sortedKeys: true)] {
            let encoded = writer.bytes(value)
            require(String(validating: encoded, as: UTF8.self) != nil, "JSONWriter wrote invalid UTF-8")
            guard case .value(let again) = outcome(encoded) else {
                violated("JSONWriter output does not parse: \(String(decoding: encoded, as: UTF8.self))")
            }
            require(again == value, "round trip changed the value: \(String(decoding: encoded, as: UTF8.self))")
            if writer.sortedKeys {
                require(writer.bytes(again) == encoded, "sorted encoding is not a fixed point")
            }
        }
        // 5. the depth limit is exact (on a quarter of the inputs; it costs ~500 levels)
        if count % 4 == 0 {
            let room = JSONParser.maxDepth - d
            let fits = [UInt8](repeating: 0x5B, count: room) + input + [UInt8](repeating: 0x5D, count: room)
            guard case .value(var nested) = outcome(fits) else { violated("\(room) wrappers around depth \(d) refused") }
            for _ in 0..<room {
                guard case .array(let one) = nested, one.count == 1 else { violated("wrapping changed the shape") }
                nested = one[0]
            }
            require(nested == value, "wrapping changed the inner value")
            let over = [0x5B] + fits + [0x5D]
            guard case .failure(let failure) = outcome(over) else { violated("depth \(JSONParser.maxDepth + 1) accepted") }
            require(failure.problem == "nesting deeper than \(JSONParser.maxDepth) levels", "wrong failure for depth: \(failure)")
        }
    }
    return 0
}
