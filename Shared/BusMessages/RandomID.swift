import Foundation

/// Random identifiers from the standard library's generator, which reads getrandom(2).
/// Foundation's `UUID()` on Linux opens, reads and closes /dev/urandom for every id: three
/// system calls on every request and event, seen in strace of the broker and mcp-front.
public enum RandomID {
    /// A version-4 UUID in lowercase, the form `UUID().uuidString.lowercased()` gives.
    public static func uuid() -> String {
        var bytes = randomBytes(16)
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = hexDigits(bytes)
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }
        return groups.joined(separator: "-")
    }

    /// `count` random lowercase hex digits.
    public static func hex(_ count: Int) -> String {
        String(hexDigits(randomBytes((count + 1) / 2)).prefix(count))
    }

    /// A secret: 32 random bytes as unpadded base64url (43 characters), safe in headers and files.
    public static func token() -> String {
        Data(randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] { randomBytes(count) }

    /// Eight bytes per draw: each draw is one getrandom(2).
    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    private static func hexDigits(_ bytes: [UInt8]) -> [Character] {
        let digits = Array("0123456789abcdef")
        return bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }
    }
}
