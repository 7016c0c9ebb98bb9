import BusMessages
import Foundation

/// A durable modelling context: its scene lives on one Blender instance at a time and is
/// checkpointed as .blend files under `sessions/<id>/checkpoints/`.
public struct Session: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// Bound to a live instance (its scene may or may not be the one loaded right now).
        case active
        /// Checkpointed and released from Blender after idling; the next command restores it.
        case idle
        /// Closed by a client; `session.resume` reopens it from its checkpoint.
        case closed
        /// Its instance or bridge died; the next command re-homes it from its checkpoint.
        case lost
    }

    public var id: String
    public var name: String
    public var state: State
    /// The Blender instance holding the scene (`bridge/address`), when bound.
    public var instance: String?
    public var createdAt: Date
    public var lastUsedAt: Date
    public var commandCount: Int
    public var latestCheckpoint: String?
    /// The client (mcp-front connection) the session is attached to, if any.
    public var owner: String?
    /// The last journal sequence number handed out (`SessionJournal`).
    public var journalSeq: Int = 0
    /// Numbers up to here may have been handed out; it is what the registry stores, so a
    /// restarted broker starts above it and never gives a number twice (a command that ran
    /// in Blender but whose answer died with the broker keeps its number in the checkpoints).
    public var journalReserved: Int = 0
    /// Journal entries up to here were dropped (a newer checkpoint holds them): a scene
    /// restored from anything older cannot be brought up to date.
    public var journalPruned: Int = 0
    /// Set when a replay failed: `{seq, op, error, dropped}`; the scene lacks that command
    /// and every one after it.
    public var diverged: JSONValue?

    public static func newID() -> String {
        "s-" + RandomID.hex(12)
    }

    /// Session ids become folder names: letters, digits, `-`, `_`, `.`, not leading with a dot.
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first, id.utf8.count <= 128, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): true
            default: false
            }
        }
    }

    public var json: JSONValue {
        [
            "session_id": .string(id), "name": .string(name), "state": .string(state.rawValue),
            "instance": instance.map(JSONValue.string) ?? .null,
            "created_at": .string(Timestamp.format(createdAt)), "last_used_at": .string(Timestamp.format(lastUsedAt)),
            "command_count": .int(Int64(commandCount)),
            "latest_checkpoint": latestCheckpoint.map(JSONValue.string) ?? .null,
            "owner": owner.map(JSONValue.string) ?? .null,
            "journal_seq": .int(Int64(journalSeq)),
            "diverged": diverged ?? .null,
        ]
    }
}
