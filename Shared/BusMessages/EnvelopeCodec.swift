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
            "message of \(bytes) bytes exceeds the limit of \(limit) bytes (\(MessageLimit.environment) sets it)"
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

/// Encodes and decodes envelopes with a size limit. Decoding names the field that is wrong and
/// what was expected. Both directions go through `JSONParser`/`JSONWriter`: the envelope is
/// on every hop of every request, and Foundation's Codable path cost most of a hop's CPU.
public struct EnvelopeCodec: Sendable {
    /// Default ceiling for one message: big enough for a base64 render, small enough that a
    /// runaway peer cannot exhaust memory. `MessageLimit.busBytes`: BMCP_MAX_MESSAGE_BYTES plus room for the envelope.
    public static let defaultLimit = MessageLimit.busBytes

    public let limit: Int

    public init(limit: Int = EnvelopeCodec.defaultLimit) {
        self.limit = limit
    }

    public func encode(_ envelope: Envelope) throws(EnvelopeDecodingError) -> Data {
        let bytes = JSONWriter().bytes(envelope.json)
        guard bytes.count <= limit else { throw .tooLarge(bytes: bytes.count, limit: limit) }
        return Data(bytes)
    }

    public func decode(_ data: Data) throws(EnvelopeDecodingError) -> Envelope {
        guard data.count <= limit else { throw .tooLarge(bytes: data.count, limit: limit) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            throw .notJSON(detail: error.description)
        }
        return try Envelope(json: value)
    }

    /// Best effort: the request id of a frame that failed to decode, so the error reply can
    /// still be matched by the sender.
    public static func salvageID(from data: Data) -> String? {
        guard data.count <= 1 << 20 else { return nil }
        return (try? JSONParser.parse(data))?["id"]?.stringValue
    }
}

extension Envelope {
    /// The envelope as the JSON object that goes on the wire; absent fields are left out.
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["v": .int(Int64(v)), "id": .string(id), "kind": .string(kind.rawValue)]
        if let op { fields["op"] = .string(op) }
        if let session { fields["session"] = .string(session) }
        if let params { fields["params"] = params }
        if let result { fields["result"] = result }
        if let error { fields["error"] = error.json }
        if let ts { fields["ts"] = .string(ts) }
        if let seq { fields["seq"] = .int(Int64(clamping: seq)) }
        if let source { fields["source"] = .string(source) }
        if let meta { fields["meta"] = meta }
        return .object(fields)
    }

    public init(json: JSONValue) throws(EnvelopeDecodingError) {
        guard case .object(let fields) = json else {
            throw .invalidField(path: "(root)", problem: "expected an object, got \(json.typeName)")
        }
        let reader = FieldReader(fields: fields, prefix: "")
        let version = try reader.required("v", \.intValue, "a number")
        guard version == Int64(Envelope.version) else { throw .unsupportedVersion(Int(clamping: version)) }
        let rawKind = try reader.required("kind", \.stringValue, "a string")
        guard let kind = Kind(rawValue: rawKind) else {
            throw .invalidField(path: "kind", problem:
                "expected one of \(Kind.allCases.map(\.rawValue).joined(separator: "|")), got \"\(rawKind)\"")
        }
        self.init(
            id: try reader.required("id", \.stringValue, "a string"), kind: kind,
            op: try reader.optional("op", \.stringValue, "a string"),
            session: try reader.optional("session", \.stringValue, "a string"),
            params: fields["params"].flatMap { $0 == .null ? nil : $0 },
            result: fields["result"].flatMap { $0 == .null ? nil : $0 },
            error: try fields["error"].flatMap { value throws(EnvelopeDecodingError) in
                value == .null ? nil : try BusError(json: value, path: "error")
            },
            ts: try reader.optional("ts", \.stringValue, "a string"),
            seq: try reader.optional("seq", { $0.intValue.flatMap { $0 >= 0 ? UInt64($0) : nil } }, "a non-negative whole number"),
            source: try reader.optional("source", \.stringValue, "a string"),
            meta: fields["meta"].flatMap { $0 == .null ? nil : $0 })
    }
}

extension BusError {
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["code": .string(code), "message": .string(message), "retryable": .bool(retryable)]
        if let detail { fields["detail"] = .string(detail) }
        return .object(fields)
    }

    init(json: JSONValue, path: String) throws(EnvelopeDecodingError) {
        guard case .object(let fields) = json else {
            throw .invalidField(path: path, problem: "expected an object, got \(json.typeName)")
        }
        let reader = FieldReader(fields: fields, prefix: path + ".")
        self.init(
            code: try reader.required("code", \.stringValue, "a string"),
            message: try reader.required("message", \.stringValue, "a string"),
            retryable: try reader.optional("retryable", \.boolValue, "a boolean") ?? false,
            detail: try reader.optional("detail", \.stringValue, "a string"))
    }
}

/// Reads typed fields from a JSON object, naming the field and the expected type on failure.
private struct FieldReader {
    let fields: [String: JSONValue]
    let prefix: String

    func required<T>(_ key: String, _ convert: (JSONValue) -> T?, _ expected: String) throws(EnvelopeDecodingError) -> T {
        guard let value = fields[key], value != .null else {
            throw .invalidField(path: prefix + key, problem: "required but missing")
        }
        guard let converted = convert(value) else {
            throw .invalidField(path: prefix + key, problem: "expected \(expected), got \(value.typeName) \(value)")
        }
        return converted
    }

    func optional<T>(_ key: String, _ convert: (JSONValue) -> T?, _ expected: String) throws(EnvelopeDecodingError) -> T? {
        guard let value = fields[key], value != .null else { return nil }
        guard let converted = convert(value) else {
            throw .invalidField(path: prefix + key, problem: "expected \(expected), got \(value.typeName) \(value)")
        }
        return converted
    }
}

/// RFC 3339 timestamps in UTC with milliseconds, as envelopes and logs carry them. Formatted
/// by hand: Foundation's ISO 8601 style showed up in the per-event cost.
public enum Timestamp {
    public static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return format(seconds: Int(ts.tv_sec), milliseconds: Int(ts.tv_nsec / 1_000_000))
    }

    public static func format(_ date: Date) -> String {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        return format(seconds: milliseconds.floorDivided(by: 1000), milliseconds: milliseconds - milliseconds.floorDivided(by: 1000) * 1000)
    }

    static func format(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }
}

extension Int {
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
