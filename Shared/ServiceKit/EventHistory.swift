import BusMessages
import Foundation

/// The last events a publisher sent, so a subscriber that missed some (slow, late, restarted)
/// can ask for exactly those again (ZeroMQ guide, "Clone" pattern). Bounded by count and by
/// bytes; what falls out of it is reported as such, never silently skipped.
public struct EventHistory {
    public let maxEvents: Int
    public let maxBytes: Int
    private var events: [(seq: UInt64, topic: String, payload: Data)] = []
    private var start = 0
    private var bytes = 0

    public init(maxEvents: Int = 50_000, maxBytes: Int = 128 * 1024 * 1024) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
    }

    public var lastSeq: UInt64 { events.last?.seq ?? 0 }
    /// The oldest sequence number still held (lastSeq + 1 when empty).
    public var oldestSeq: UInt64 { start < events.count ? events[start].seq : lastSeq + 1 }

    public mutating func append(seq: UInt64, topic: String, payload: Data) {
        events.append((seq, topic, payload))
        bytes += payload.count
        while events.count - start > maxEvents || (bytes > maxBytes && events.count - start > 1) {
            bytes -= events[start].payload.count
            start += 1
        }
        // Compact now and then so dropped entries do not pile up.
        if start > 4096 && start * 2 > events.count {
            events.removeFirst(start)
            start = 0
        }
    }

    /// Events with seq > `after`, oldest first, at most `limit`. Sequence numbers are
    /// consecutive, so the position of a seq is its distance from the oldest one held.
    public func since(_ after: UInt64, limit: Int) -> [(seq: UInt64, topic: String, payload: Data)] {
        let oldest = oldestSeq
        let skip = after + 1 > oldest ? Int(after + 1 - oldest) : 0
        let first = start + skip
        guard first < events.count else { return [] }
        return Array(events[first..<min(events.count, first + limit)])
    }
}
