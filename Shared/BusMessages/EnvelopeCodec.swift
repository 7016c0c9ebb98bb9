import Foundation

/// Why a frame could not become an `Envelope`, worded for the person reading the log.
public enum EnvelopeDecodingError: Error, CustomStringConvertible, Equatable {
    case tooLarge(bytes: Int, limit: Int)
    case notJSON(detail: String)
    case invalidField(path: String, problem: String)
    case unsupportedVersion(Int)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit):
            "message of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .notJSON(let detail):
            "message is not valid JSON: \(detail)"
        case .invalidField(let path, let problem):
            "field '\(path)': \(problem)"
        case .unsupportedVersion(let v):
            "envelope version \(v) is not supported (this build speaks v\(Envelope.version))"
        }
    }

    public var busError: BusError { BusError(code: ErrorCode.badMessage, message: description) }
}

/// Encodes and decodes envelopes with a size limit, turning Foundation's decoding errors into
/// ones that name the field and what was expected.
public struct EnvelopeCodec: Sendable {
    /// Default ceiling for one message: big enough for a base64 render, small enough that a
    /// runaway peer cannot exhaust memory.
    public static let defaultLimit = 32 * 1024 * 1024

    public let limit: Int

    public init(limit: Int = EnvelopeCodec.defaultLimit) {
        self.limit = limit
    }

    public func encode(_ envelope: Envelope) throws -> Data {
        let data = try JSONEncoder().encode(envelope)
        guard data.count <= limit else {
            throw EnvelopeDecodingError.tooLarge(bytes: data.count, limit: limit)
        }
        return data
    }

    public func decode(_ data: Data) throws(EnvelopeDecodingError) -> Envelope {
        guard data.count <= limit else { throw .tooLarge(bytes: data.count, limit: limit) }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: data)
        } catch let error as DecodingError {
            throw Self.describe(error)
        } catch {
            throw .notJSON(detail: "\(error)")
        }
        guard envelope.v == Envelope.version else { throw .unsupportedVersion(envelope.v) }
        return envelope
    }

    /// Best effort: the request id of a frame that failed to decode, so the error reply can
    /// still be matched by the sender.
    public static func salvageID(from data: Data) -> String? {
        guard data.count <= 1 << 20,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["id"] as? String
    }

    static func describe(_ error: DecodingError) -> EnvelopeDecodingError {
        func path(_ codingPath: [CodingKey], _ last: CodingKey? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            let joined = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "(root)" : joined
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return .notJSON(detail: underlying ?? context.debugDescription)
        case .dataCorrupted(let context):
            return .invalidField(path: path(context.codingPath), problem: context.debugDescription)
        case .keyNotFound(let key, let context):
            return .invalidField(path: path(context.codingPath, key), problem: "required but missing")
        case .typeMismatch(let type, let context):
            return .invalidField(path: path(context.codingPath), problem: "expected \(jsonTypeName(type))")
        case .valueNotFound(let type, let context):
            return .invalidField(path: path(context.codingPath), problem: "expected \(jsonTypeName(type)), got null")
        @unknown default:
            return .notJSON(detail: "\(error)")
        }
    }

    static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is UInt64.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "\(type)"
        }
    }
}

/// RFC 3339 timestamps with milliseconds, as envelopes and logs carry them.
public enum Timestamp {
    public static func now() -> String { format(Date()) }

    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
