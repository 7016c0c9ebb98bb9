import BusMessages
import Foundation

/// One session's restore under way (`SessionRestore.swift`): the requests waiting for it, what
/// to do when it ends, and a token so late answers from an attempt that already ended (its
/// deadline passed) change nothing.
struct RestoreAttempt {
    let token: Int
    var waiting: [(request: Envelope, route: [Data])]
    let onFinish: (SessionBroker.RestoreOutcome) -> Void

    /// Requests that may wait for one restore; more are refused with a message saying why.
    static let maxWaiting = 1000
    /// A restore (checkpoint plus replay) taking longer than this is given up; the next
    /// request starts over.
    static let deadline: Duration = .seconds(300)
}
