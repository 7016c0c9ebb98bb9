// libFuzzer target for EnvelopeCodec (Shared/BusMessages/EnvelopeCodec.swift, Envelope.swift).
// Properties checked on every input, beyond "does not crash":
//  1. decode either returns an envelope of version Envelope.version or throws an
//     EnvelopeDecodingError; .notJSON exactly when JSONParser refuses the bytes, and never
//     .tooLarge under the default limit;
//  2. a decoded envelope encodes and decodes to an equal envelope, its encoding is the
//     JSONWriter form of `envelope.json`, and `Envelope(json:)` of the parsed bytes agrees;
//  3. the size limit is exact: a codec whose limit is one byte short refuses the input with
//     .tooLarge(bytes: count, limit: count - 1) before parsing; a limit of exactly count gives
//     the default codec's outcome; encode refuses an envelope whose JSON exceeds its limit;
//  4. salvageID returns the top-level "id" string of anything that parses, else nil.
import BusMessages
import Foundation

enum Outcome: Equatable {
    case envelope(Envelope)
    case failure(EnvelopeDecodingError)
}

func outcome(_ codec: EnvelopeCodec, _ data: Data) -> Outcome {
    do { return .envelope(try codec.decode(data)) } catch { return .failure(error) }
}

let codec = EnvelopeCodec()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    let result = outcome(codec, data)
    let parsed = try? JSONParser.parse(data)

    // 3. the limit, both sides of the boundary
    require(outcome(EnvelopeCodec(limit: count), data) == result, "a limit of exactly \(count) bytes changed the outcome")
    if count > 0 {
        require(outcome(EnvelopeCodec(limit: count - 1), data) == .failure(.tooLarge(bytes: count, limit: count - 1)),
                "a \(count)-byte message passed a limit of \(count - 1)")
    }

    // 4. salvageID
    require(EnvelopeCodec.salvageID(from: data) == parsed?["id"]?.stringValue, "salvageID disagrees with the parser")

    switch result {
    case .failure(let error):
        // 1. the error matches what went wrong
        switch error {
        case .tooLarge: violated("\(count) bytes refused as too large under the default limit")
        case .notJSON: require(parsed == nil, "refused as not JSON but JSONParser parsed it")
        case .invalidField, .unsupportedVersion: require(parsed != nil, "\(error) for bytes JSONParser refuses")
        }
        require(!error.description.isEmpty && error.busError.code == ErrorCode.badMessage, "error without a description or code")
    case .envelope(let envelope):
        require(envelope.v == Envelope.version, "decoded version \(envelope.v)")
        guard let parsed else { violated("decoded an envelope from bytes JSONParser refuses") }
        do {
            require(try Envelope(json: parsed) == envelope, "Envelope(json:) disagrees with decode")
        } catch {
            violated("Envelope(json:) threw \(error) where decode succeeded")
        }
        // 2. round trip
        let encoded: Data
        do { encoded = try codec.encode(envelope) } catch { violated("encode threw \(error)") }
        require(Array(encoded) == JSONWriter().bytes(envelope.json) || (try? JSONParser.parse(encoded)) == envelope.json,
                "encode is not the JSON of the envelope")
        switch outcome(codec, encoded) {
        case .envelope(let again):
            require(again == envelope, "round trip changed the envelope: \(String(decoding: encoded, as: UTF8.self))")
            require((try? JSONParser.parse(codec.encode(again))) == envelope.json, "second encoding differs")
        case .failure(let error):
            violated("re-encoded envelope refused: \(error): \(String(decoding: encoded, as: UTF8.self))")
        }
        // 3. encode's limit
        let size = encoded.count
        do { _ = try EnvelopeCodec(limit: size).encode(envelope) } catch { violated("encode refused \(size) bytes under a limit of \(size)") }
        do {
            _ = try EnvelopeCodec(limit: size - 1).encode(envelope)
            violated("encode let \(size) bytes through a limit of \(size - 1)")
        } catch {
            require(error == .tooLarge(bytes: size, limit: size - 1), "encode over the limit threw \(error)")
        }
    }
    return 0
}
