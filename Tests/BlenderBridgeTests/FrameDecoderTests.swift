import BusMessages
import Foundation
import Testing
@testable import BlenderBridgeCore

@Suite struct FrameDecoderTests {
    @Test func reassemblesFramesSplitAcrossChunks() throws {
        let one = AddonFraming.encode(["type": "reply", "id": "1"])
        let two = AddonFraming.encode(["type": "pong", "id": "hb"])
        var stream = one + two
        var decoder = FrameDecoder()
        var frames: [JSONValue] = []
        while !stream.isEmpty {
            decoder.append(stream.prefix(3))
            stream = stream.dropFirst(3)
            while let frame = try decoder.next() { frames.append(frame) }
        }
        #expect(frames == [["type": "reply", "id": "1"], ["type": "pong", "id": "hb"]])
    }

    @Test func lengthIsBigEndian() throws {
        let frame = AddonFraming.encode(["a": 1])
        let length = frame.prefix(4).reduce(0) { ($0 << 8) | Int($1) }
        #expect(length == frame.count - 4)
        #expect(frame[0] == 0)
    }

    @Test func oversizedFrameIsFatalAndNamed() {
        var decoder = FrameDecoder(maxFrame: 1024)
        decoder.append(Data([0x01, 0x40, 0x00, 0x00]))  // announces 20 MiB
        do {
            _ = try decoder.next()
            Issue.record("accepted an oversized frame")
        } catch {
            #expect(error == .tooLarge(bytes: 20_971_520, limit: 1024))
            #expect(error.description.contains("20971520 bytes exceeds the limit of 1024"))
        }
    }

    @Test func malformedFrameIsSkippedAndTheNextOneRead() throws {
        var decoder = FrameDecoder()
        let garbage = Data("{nope".utf8)
        var bad = Data()
        withUnsafeBytes(of: UInt32(garbage.count).bigEndian) { bad.append(contentsOf: $0) }
        bad.append(garbage)
        decoder.append(bad + AddonFraming.encode(["type": "hello"]))
        #expect(throws: FrameError.self) { _ = try decoder.next() }
        #expect(try decoder.next() == ["type": "hello"])
    }

    @Test func nonObjectFramesAreRefused() throws {
        var decoder = FrameDecoder()
        decoder.append(AddonFraming.encode([1, 2]))
        do {
            _ = try decoder.next()
            Issue.record("accepted an array frame")
        } catch {
            #expect(error.description.contains("top level is array"))
        }
    }
}
