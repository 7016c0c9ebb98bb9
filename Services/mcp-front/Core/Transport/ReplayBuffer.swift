import Foundation

/// The events one MCP session over HTTP has sent, kept so a client that lost a stream can
/// pick it up again with `Last-Event-ID`; bounded by bytes (BMCP_SSE_REPLAY_BYTES).
///
/// The SDK's transport kept every event of a session for the session's life: a client that
/// made 10,000 calls held 10,000 results in mcp-front's memory. Here the oldest events go
/// first once the bytes are spent, and asking for one that went is an error that names the
/// setting, never a silent gap. An event id is a number that grows within the session, so an
/// id older than the oldest held is told apart from one this session never sent.
///
/// Not thread-safe: it lives inside its transport's actor.
struct ReplayBuffer {
    /// What one held event costs beyond its message: the stream name, the id, the array slot.
    static let overheadBytes = 64

    /// One event as sent: which stream it went on, its id, and the JSON-RPC message
    /// (nil for a priming event, which carries only an id).
    struct Event {
        let stream: String
        let id: Int
        let message: Data?

        var cost: Int { (message?.count ?? 0) + ReplayBuffer.overheadBytes }
    }

    /// Why a `Last-Event-ID` cannot be resumed.
    enum Miss: Error, Equatable {
        /// Sent, but pushed out by newer events.
        case evicted(oldestHeld: Int?)
        /// Not an id this session gave out.
        case unknown
    }

    let limitBytes: Int
    private var events: [Event] = []
    private var start = 0  // index of the oldest held event: dropping from the front stays O(1)
    private(set) var heldBytes = 0
    private var lastID = 0

    init(limitBytes: Int) {
        self.limitBytes = limitBytes
    }

    var count: Int { events.count - start }

    /// Holds an event and returns its id. An event larger than the whole budget gets an id but
    /// is not held (its stream still receives it).
    mutating func append(stream: String, message: Data?) -> Int {
        lastID += 1
        let event = Event(stream: stream, id: lastID, message: message)
        guard event.cost <= limitBytes else { return lastID }
        while heldBytes + event.cost > limitBytes, start < events.count {
            heldBytes -= events[start].cost
            start += 1
        }
        if start > 1024, start * 2 > events.count {
            events.removeFirst(start)
            start = 0
        }
        events.append(event)
        heldBytes += event.cost
        return lastID
    }

    /// The stream `lastEventID` was on and the messages sent on it after that event.
    func replay(after lastEventID: String) -> Result<(stream: String, events: [Event]), Miss> {
        guard let id = Int(lastEventID), id > 0, id <= lastID else { return .failure(.unknown) }
        let held = events[start...]
        guard let first = held.first, id >= first.id,
              let index = held.firstIndex(where: { $0.id == id }) else {
            return .failure(.evicted(oldestHeld: held.first?.id))
        }
        let stream = events[index].stream
        let after = events[(index + 1)...].filter { $0.stream == stream && $0.message != nil }
        return .success((stream, Array(after)))
    }

    mutating func removeAll() {
        events.removeAll()
        start = 0
        heldBytes = 0
    }
}
