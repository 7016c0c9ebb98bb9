import BusMessages
import Foundation

/// The addon wire of DESIGN.md: each frame is a 4-byte big-endian length and that many bytes
/// of UTF-8 JSON holding one object.
public enum AddonFraming {
    /// BMCP_MAX_MESSAGE_BYTES (`MessageLimit`), the limit the addon applies too.
    public static let defaultMaxFrame = MessageLimit.bytes

    public static func encode(_ object: JSONValue) -> Data {
        let body = JSONWriter().bytes(object)
        var frame = Data(capacity: body.count + 4)
        withUnsafeBytes(of: UInt32(body.count).bigEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: body)
        return frame
    }
}

public enum FrameError: Error, Equatable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case notJSON(String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "addon frame of \(bytes) bytes exceeds the limit of \(limit) bytes (\(MessageLimit.environment))"
        case .notJSON(let detail): "addon frame is not a JSON object: \(detail)"
        }
    }
}

/// Reassembles frames from whatever chunks TCP delivers.
public struct FrameDecoder {
    public let maxFrame: Int
    private var buffer = Data()

    public init(maxFrame: Int = AddonFraming.defaultMaxFrame) {
        self.maxFrame = maxFrame
    }

    public mutating func append(_ chunk: Data) {
        buffer.append(chunk)
    }

    /// The next whole frame, nil when more bytes are needed. A `.tooLarge` error is fatal for
    /// the connection (the stream cannot be resynchronised); `.notJSON` skips just that frame.
    public mutating func next() throws(FrameError) -> JSONValue? {
        guard buffer.count >= 4 else { return nil }
        let start = buffer.startIndex
        let length = buffer[start..<start + 4].reduce(0) { ($0 << 8) | Int($1) }
        guard length <= maxFrame else { throw .tooLarge(bytes: length, limit: maxFrame) }
        guard buffer.count >= 4 + length else { return nil }
        let body = buffer[(start + 4)..<(start + 4 + length)]
        buffer = buffer.count == 4 + length ? Data() : Data(buffer[(start + 4 + length)...])
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw .notJSON(error.description)
        }
        guard case .object = value else { throw .notJSON("top level is \(value.typeName)") }
        return value
    }
}
