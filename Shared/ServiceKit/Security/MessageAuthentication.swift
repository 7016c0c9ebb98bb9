import Crypto
import Foundation

/// HMAC-SHA256 and a constant-time compare, the two primitives behind the addon handshake and
/// the dashboard's sign-in tickets.
public enum MessageAuthentication {
    /// Lowercase hex of HMAC-SHA256(key, message).
    public static func hmacHex(key: String, message: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Compares without an early exit, so the time taken says nothing about where they differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
