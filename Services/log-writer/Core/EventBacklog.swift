import BusMessages

/// Events log-writer could not write yet (its data directory is read-only or full), in order,
/// holding at most `capacity` bytes of them.
///
/// Past that, an event is not kept in memory: its publisher's sequence number is noted instead,
/// every later event of that publisher is left to the broker's history, and once the backlog
/// is written the log-writer fetches them all again from there (`events.replay`, as after any
/// gap). So a long outage costs memory up to the cap, and lines only if it outlasts the
/// broker's history, which is then said in gaps.log like any other loss.
struct EventBacklog {
    let capacity: Int
    private(set) var events: [Envelope] = []
    private(set) var bytes = 0
    /// Per publisher, the first event not held: everything from it is fetched again.
    private(set) var refetch: [String: UInt64] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Nothing held and nothing to fetch again.
    var isEmpty: Bool { events.isEmpty && refetch.isEmpty }

    /// Events of `source` are being left to the broker's history: the live ones are skipped
    /// (not even put in order) until the backlog is written and the rest is fetched.
    func isShedding(_ source: String) -> Bool { refetch[source] != nil }

    /// Keeps `event`, or, past the cap, notes where its publisher's refetch starts. Returns
    /// that starting point the first time (the sequencer then forgets it had got that far).
    mutating func hold(_ event: Envelope) -> (source: String, seq: UInt64)? {
        if let source = event.source, refetch[source] != nil { return nil }
        let size = JSONWriter().bytes(event.json).count
        if bytes + size <= capacity || events.isEmpty {
            events.append(event)
            bytes += size
            return nil
        }
        guard let source = event.source, let seq = event.seq else {
            // Without a sequence number it cannot be fetched again; log-writer subscribes only
            // to the broker's numbered events, so this is a peer's bug. Kept anyway.
            events.append(event)
            bytes += size
            return nil
        }
        refetch[source] = seq
        return (source, seq)
    }

    /// The held events, leaving none (they are written, or held again, in order).
    mutating func takeEvents() -> [Envelope] {
        defer {
            events.removeAll()
            bytes = 0
        }
        return events
    }

    /// The publishers to fetch again, once the held events are written.
    mutating func takeRefetch() -> [String: UInt64] {
        defer { refetch.removeAll() }
        return refetch
    }

    /// Said in health and the log.
    var summary: String {
        var text = "\(events.count) event(s), \(bytes) bytes, held"
        if !refetch.isEmpty {
            text += "; over BMCP_LOG_BACKLOG_BYTES (\(capacity)), later events of \(refetch.count) publisher(s) will be fetched again from the broker's history"
        }
        return text
    }
}
