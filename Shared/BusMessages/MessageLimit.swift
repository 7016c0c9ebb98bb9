import Foundation

/// The one size limit for a message, `BMCP_MAX_MESSAGE_BYTES` (the `Settings.maxMessageBytes`
/// row), read by every process that frames messages: the bus (`EnvelopeCodec`, ZeroMQ's
/// `ZMQ_MAXMSGSIZE`), the bridge's addon framing and the addon itself (`framing.py` reads the
/// same variable). It lives here, below ServiceKit, because the codec needs it.
///
/// An addon frame may be `bytes` long; a bus envelope `busBytes`, which leaves room for the
/// envelope around an addon reply of the full size. An invalid value is refused at start by
/// `Settings.checkLimits()`; here it falls back to the default so that tests and tools that
/// never start a service still work.
public enum MessageLimit {
    public static let environment = "BMCP_MAX_MESSAGE_BYTES"
    public static let defaultBytes = 16 * 1024 * 1024
    /// Room for the envelope (ids, meta, the session context) around a message of `bytes`.
    public static let envelopeRoom = 64 * 1024

    /// The largest addon frame, and the payload bound everywhere.
    public static let bytes: Int = parse(ProcessInfo.processInfo.environment[environment]) ?? defaultBytes

    /// The largest bus envelope.
    public static var busBytes: Int { bytes + envelopeRoom }

    /// A whole number of bytes from 1 KiB to 1 GiB, or nil.
    public static func parse(_ raw: String?) -> Int? {
        guard let raw, let value = Int(raw.trimmingCharacters(in: .whitespaces)), (1024...(1 << 30)).contains(value) else { return nil }
        return value
    }
}
