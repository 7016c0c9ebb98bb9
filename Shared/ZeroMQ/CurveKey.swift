import CZeroMQ
import Foundation

/// A 32-byte CURVE (Curve25519) key, public or secret. Its text form is Z85, the 40-character
/// encoding ZeroMQ's tools use, which is what the key files hold.
///
/// `description` never prints the key, so a secret cannot reach a log by interpolation.
public struct CurveKey: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let bytes: Data

    public init?(bytes: Data) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Parses 40 characters of Z85; nil for anything else.
    public init?(z85 text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count == 40 else { return nil }
        var output = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&output, trimmed) != nil else { return nil }
        bytes = Data(output)
    }

    public var z85: String {
        var output = [CChar](repeating: 0, count: 41)
        _ = bytes.withUnsafeBytes { zmq_z85_encode(&output, $0.bindMemory(to: UInt8.self).baseAddress, 32) }
        return String(decoding: output.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String { "CurveKey(32 bytes)" }
}

/// A CURVE key pair, as made by `zmq_curve_keypair`.
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: CurveKey
    public let secretKey: CurveKey

    public init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A new random pair. Throws where libzmq was built without CURVE.
    public static func generate() throws -> CurveKeyPair {
        try Curve.requireAvailable()
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else { throw ZeroMQError.last("zmq_curve_keypair") }
        let text = { (chars: [CChar]) in String(decoding: chars.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        guard let pub = CurveKey(z85: text(publicText)), let sec = CurveKey(z85: text(secretText)) else {
            throw ZeroMQError(code: EINVAL, operation: "zmq_curve_keypair returned keys that do not decode")
        }
        return CurveKeyPair(publicKey: pub, secretKey: sec)
    }

    /// The pair whose secret half is `secretKey` (its public half is derived).
    public static func from(secretKey: CurveKey) throws -> CurveKeyPair {
        try Curve.requireAvailable()
        var publicText = [CChar](repeating: 0, count: 41)
        let secretText = secretKey.z85
        guard zmq_curve_public(&publicText, secretText) == 0,
              let pub = CurveKey(z85: String(decoding: publicText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)) else {
            throw ZeroMQError.last("zmq_curve_public")
        }
        return CurveKeyPair(publicKey: pub, secretKey: secretKey)
    }
}

/// Whether this libzmq can do CURVE at all.
public enum Curve {
    public static var isAvailable: Bool { zmq_has("curve") == 1 }

    public static func requireAvailable() throws {
        guard isAvailable else {
            throw ZeroMQError(code: ENOTSUP, operation: "CURVE security: this libzmq (\(zeroMQVersion)) was built without it (zmq_has(\"curve\") is 0); install a libzmq built with libsodium, or use ipc:// endpoints on one machine")
        }
    }
}
