import BusMessages
import Foundation

/// Appends a session's events to `sessions/<id>/command.log`, one JSON object per line.
///
/// Loop-confined: the log-writer's loop is the only writer, so lines never interleave.
final class CommandLog {
    let root: URL
    private var handles: [String: FileHandle] = [:]
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
        try handle(for: session).write(contentsOf: bytes)
    }

    private func handle(for session: String) throws -> FileHandle {
        if let handle = handles[session] { return handle }
        let folder = root.appendingPathComponent(session, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("command.log")
        if !FileManager.default.fileExists(atPath: file.path) {
            FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        handles[session] = handle
        return handle
    }
}
