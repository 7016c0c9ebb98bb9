import Foundation

/// One acknowledged mutating command of a session, as the journal keeps it: enough to run it
/// again on a scene restored from a checkpoint that predates it.
struct JournalEntry: Sendable, Equatable {
    let session: String
    /// Gap-free per session only while commands succeed: a failed command's number is not reused.
    let seq: Int
    let op: String
    /// The request's params as JSON text, exactly as sent to Blender.
    let params: String
    /// The result's `changed` block as JSON text, for the record.
    let changed: String?
    let timestamp: Double
}
