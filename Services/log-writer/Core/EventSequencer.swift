import BusMessages

/// Puts each publisher's events back in order and finds the ones missing, by their gap-free
/// sequence numbers: an event arrives once, in order, or is asked for again (replay).
struct EventSequencer {
    /// Highest sequence number written, per publisher.
    private(set) var last: [String: UInt64]
    /// Events that arrived ahead of a gap, waiting for it to be filled.
    private var early: [String: [UInt64: Envelope]] = [:]

    init(last: [String: UInt64] = [:]) {
        self.last = last
    }

    struct Outcome {
        /// Events to write now, in order.
        var ready: [Envelope] = []
        /// Set when events after this sequence number are missing and must be replayed.
        var missingAfter: UInt64?
    }

    mutating func accept(_ event: Envelope) -> Outcome {
        guard let source = event.source, let seq = event.seq else { return Outcome(ready: [event]) }
        let written = last[source] ?? 0
        if seq <= written { return Outcome() }  // a duplicate (replay overlap)
        if seq > written + 1 {
            early[source, default: [:]][seq] = event
            return Outcome(missingAfter: written)
        }
        var outcome = Outcome(ready: [event])
        last[source] = seq
        drainEarly(source, into: &outcome)
        return outcome
    }

    /// The publisher's latest sequence number: anything after what we wrote is missing.
    func missing(source: String, head: UInt64) -> UInt64? {
        let written = last[source] ?? 0
        return head > written ? written : nil
    }

    /// Events before `oldest` can no longer be had (the publisher's history moved on): move
    /// past them so what follows can be written. Returns the lost range, if any, and the
    /// events that became ready.
    mutating func skip(source: String, before oldest: UInt64) -> (lost: ClosedRange<UInt64>?, ready: [Envelope]) {
        let written = last[source] ?? 0
        guard oldest > written + 1 else { return (nil, []) }
        last[source] = oldest - 1
        var outcome = Outcome()
        drainEarly(source, into: &outcome)
        return ((written + 1)...(oldest - 1), outcome.ready)
    }

    /// Forgets that events of `source` from `seq` on were taken: they were not written and
    /// will come again (a backlog over its cap, `EventBacklog`).
    mutating func rewind(source: String, before seq: UInt64) {
        guard seq >= 1 else { return }
        last[source] = min(last[source] ?? 0, seq - 1)
        early[source] = nil  // all of it comes again
    }

    var hasGaps: Bool { early.values.contains { !$0.isEmpty } }

    private mutating func drainEarly(_ source: String, into outcome: inout Outcome) {
        while let next = early[source]?.removeValue(forKey: (last[source] ?? 0) + 1) {
            outcome.ready.append(next)
            last[source] = (last[source] ?? 0) + 1
        }
    }
}
