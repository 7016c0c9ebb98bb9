// libFuzzer target for FrameDecoder (Services/blender-bridge/Core/AddonFraming.swift), the
// 4-byte big-endian length-prefixed JSON framing of the Blender addon's TCP link.
// Input: byte 0 picks maxFrame (8, 64, 1024 or AddonFraming.defaultMaxFrame, 16 MiB unless
// BMCP_MAX_MESSAGE_BYTES says otherwise); the rest is the stream.
// Properties checked on every input, beyond "does not crash":
//  1. the stream fed whole gives exactly the frames and errors an independent model of the
//     wire format predicts: each header's length over maxFrame is .tooLarge (fatal, and
//     repeated on every later call), a body that is not a JSON object is .notJSON and skipped;
//  2. the same bytes fed in random chunks (empty ones included, as Data slices), and one byte
//     at a time, give the same sequence of frames and errors;
//  3. a header declaring more than maxFrame (up to 4 GiB - 1) is refused as soon as its 4 bytes
//     are in, without waiting for or allocating the body (scripts/fuzz.sh also runs this
//     target with -malloc_limit_mb so an allocation of the declared size would be a crash);
//  4. every decoded frame re-encodes with AddonFraming.encode and decodes to an equal frame.
import BusMessages
import Foundation

enum Step: Equatable {
    case frame(JSONValue)
    case failure(FrameError)
}

/// Drains the decoder; returns false once a fatal .tooLarge has been seen.
func drain(_ decoder: inout FrameDecoder, into steps: inout [Step]) -> Bool {
    while true {
        do {
            guard let frame = try decoder.next() else { return true }
            steps.append(.frame(frame))
        } catch {
            steps.append(.failure(error))
            if case .tooLarge = error { return false }
        }
    }
}

/// The wire format written out again, independently of FrameDecoder.
func model(_ stream: [UInt8], maxFrame: Int) -> [Step] {
    var steps: [Step] = []
    var at = 0
    while stream.count - at >= 4 {
        let length = Int(stream[at]) << 24 | Int(stream[at + 1]) << 16 | Int(stream[at + 2]) << 8 | Int(stream[at + 3])
        if length > maxFrame { steps.append(.failure(.tooLarge(bytes: length, limit: maxFrame))); break }
        guard stream.count - at - 4 >= length else { break }
        let body = stream[(at + 4)..<(at + 4 + length)]
        at += 4 + length
        do {
            let value = try JSONParser.parse(body)
            if case .object = value { steps.append(.frame(value)) } else { steps.append(.failure(.notJSON("top level is \(value.typeName)"))) }
        } catch {
            steps.append(.failure(.notJSON(error.description)))
        }
    }
    return steps
}

let maxFrames = [8, 64, 1024, AddonFraming.defaultMaxFrame]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count >= 1 else { return 0 }
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))
    let maxFrame = maxFrames[Int(input[0] & 3)]
    let stream = Array(input.dropFirst())
    let data = Data(stream)
    var random = SplitMix64(seed: input)

    // 1. whole, against the model
    var whole = FrameDecoder(maxFrame: maxFrame)
    whole.append(data)
    var expected: [Step] = []
    let healthy = drain(&whole, into: &expected)
    require(expected == model(stream, maxFrame: maxFrame), "decoder and model disagree: \(expected) vs \(model(stream, maxFrame: maxFrame))")
    if !healthy {
        // .tooLarge is fatal: asking again, even with more bytes, gives it again
        whole.append(Data(repeating: 0, count: 8))
        var again: [Step] = []
        _ = drain(&whole, into: &again)
        require(again == [expected.last!], "after .tooLarge the decoder said \(again)")
    }

    // 2. random chunks, as slices of one Data (startIndex != 0)
    var chunked = FrameDecoder(maxFrame: maxFrame)
    var steps: [Step] = []
    var at = data.startIndex
    var alive = true
    while alive, at < data.endIndex {
        let size = random.below(2) == 0 ? random.below(6) : random.below(data.endIndex - at + 1)
        let end = min(at + size, data.endIndex)
        chunked.append(data[at..<end])
        at = end
        alive = drain(&chunked, into: &steps)
    }
    if alive { alive = drain(&chunked, into: &steps) }
    require(steps == expected, "random chunks gave \(steps), whole gave \(expected)")

    // 2. one byte at a time (bounded: each append re-examines the buffer)
    if stream.count <= 1024 {
        var bytewise = FrameDecoder(maxFrame: maxFrame)
        var bytewiseSteps: [Step] = []
        for byte in stream {
            bytewise.append(Data([byte]))
            if !drain(&bytewise, into: &bytewiseSteps) { break }
        }
        require(bytewiseSteps == expected, "byte-wise feeding gave \(bytewiseSteps), whole gave \(expected)")
    }

    // 3. an oversized header is refused on its own 4 bytes
    let limit = maxFrames[random.below(maxFrames.count)]
    let declared = limit + 1 + random.below(Int(UInt32.max) - limit)
    var header = Data()
    withUnsafeBytes(of: UInt32(declared).bigEndian) { header.append(contentsOf: $0) }
    var oversized = FrameDecoder(maxFrame: limit)
    oversized.append(header.prefix(3))
    do { require(try oversized.next() == nil, "a frame from 3 header bytes") } catch { violated("3 header bytes threw \(error)") }
    oversized.append(header.suffix(1) + Data(stream.prefix(16)))
    do {
        _ = try oversized.next()
        violated("declared length \(declared) over \(limit) not refused")
    } catch {
        require(error == .tooLarge(bytes: declared, limit: limit), "declared length \(declared) over \(limit) gave \(error)")
    }

    // 4. re-encoding
    for case .frame(let frame) in expected {
        let encoded = AddonFraming.encode(frame)
        var decoder = FrameDecoder()
        decoder.append(encoded)
        do {
            require(try decoder.next() == frame, "AddonFraming.encode did not round trip")
            require(try decoder.next() == nil, "AddonFraming.encode wrote more than one frame")
        } catch {
            violated("re-encoded frame refused: \(error)")
        }
    }
    return 0
}
