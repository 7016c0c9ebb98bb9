import BusMessages
import Foundation

/// Appends a session's events, one JSON object per line: finished commands to
/// `sessions/<id>/command.log` (one line per command), its lifecycle (created, re-homed,
/// checkpointed, …) to `sessions/<id>/events.log`.
///
/// Loop-confined: the log-writer's loop is the only writer, so lines never interleave.
final class CommandLog {
    let root: URL
    private var handles: [String: FileHandle] = [:]  // keyed by "<session>/<file>"
    private let writer = JSONWriter(sortedKeys: true)

    init(dataDirectory: String) throws {
        root = URL(fileURLWithPath: dataDirectory, isDirectory: true).appendingPathComponent("sessions", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit {
        for handle in handles.values { try? handle.close() }
    }

    /// A session id becomes a folder name, so it may hold only safe characters.
    static func isValidSessionID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 128 && id != "." && id != ".."
            && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
            && !id.hasPrefix(".")
    }

    func append(_ event: Envelope) throws {
        guard let session = event.session else { return }
        guard Self.isValidSessionID(session) else {
            throw BusError(code: ErrorCode.badParams, message: "session id '\(session)' is not a safe folder name; event \(event.seq ?? 0) from \(event.source ?? "?") not logged")
        }
        var line: [String: JSONValue] = [
            "event": .string(event.op ?? ""),
            "ts": .string(event.ts ?? Timestamp.now()),
            "source": .string(event.source ?? ""),
            "seq": .int(Int64(event.seq ?? 0)),
        ]
        for (key, value) in event.params?.objectValue ?? [:] { line[key] = value }
        var bytes = writer.bytes(.object(line))
        bytes.append(0x0A)
        try handle(for: session, file: Self.file(for: event.op ?? "")).write(contentsOf: bytes)
    }

    /// A command is logged once, when it has finished; `command.started` only matters live.
    static func file(for event: String) -> String {
        event == EventName.commandCompleted || event == EventName.commandFailed ? "command.log" : "events.log"
    }

    private func handle(for session: String, file name: String) throws -> FileHandle {
        let key = "\(session)/\(name)"
        if let handle = handles[key] { return handle }
        let folder = root.appendingPathComponent(session, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: file.path) {
            FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        handles[key] = handle
        return handle
    }
}
