import BusMessages
import Foundation

/// A session's folder under `BMCP_DATA/sessions/<id>/`: command.log, blender.log, events.log,
/// state.json, design.md, code/ and renders/. Lines are appended whole; state.json and
/// design.md are replaced atomically (write a temporary file, then rename).
///
/// Loop-confined: the log-writer's loop is the only writer, so lines never interleave.
final class SessionFiles {
    static let readable: Set<String> = ["command.log", "blender.log", "events.log", "state.json", "design.md"]

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
        !id.isEmpty && id.count <= 128 && !id.hasPrefix(".")
            && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    func folder(_ session: String) throws(BusError) -> URL {
        guard Self.isValidSessionID(session) else {
            throw BusError(code: ErrorCode.badParams, message: "session id '\(session)' is not a safe folder name")
        }
        return root.appendingPathComponent(session, isDirectory: true)
    }

    // MARK: Writing

    /// Writes one event where it belongs; returns the files it changed.
    func record(_ event: Envelope) throws -> [String] {
        guard let session = event.session else { return [] }
        let folder = try folder(session)
        guard event.op == EventName.commandCompleted || event.op == EventName.commandFailed else {
            try append(session, "events.log", line(of: event))
            return ["events.log"]
        }
        var changed = ["command.log"]
        var codeFile: String?
        if let code = event.params?["params"]?["code"]?.stringValue {
            codeFile = String(format: "code/%06llu.py", event.seq ?? 0)
            try write(Data(code.utf8), to: folder.appendingPathComponent(codeFile!))
        }
        if let image = event.params?["image_base64"]?.stringValue, let data = Data(base64Encoded: image) {
            let ext = event.params?["image_format"]?.stringValue ?? "png"
            try write(data, to: folder.appendingPathComponent(String(format: "renders/%06llu.\(ext)", event.seq ?? 0)))
            try write(data, to: folder.appendingPathComponent("renders/latest.\(ext)"))
        }
        let blender = CommandRecord.blenderLines(event)
        if !blender.isEmpty {
            try append(session, "blender.log", Data(blender.utf8))
            changed.append("blender.log")
        }
        try append(session, "command.log", line(of: CommandRecord.line(event, codeFile: codeFile)))
        return changed
    }

    func replaceState(_ session: String, with snapshot: JSONValue) throws {
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write(try pretty.encode(snapshot), to: try folder(session).appendingPathComponent("state.json"))
    }

    func replaceDesign(_ session: String, with text: String) throws {
        try write(Data(text.utf8), to: try folder(session).appendingPathComponent("design.md"))
    }

    private func line(of event: Envelope) -> Data {
        var fields = event.params?.objectValue ?? [:]
        fields["event"] = .string(event.op ?? "")
        fields["ts"] = .string(event.ts ?? Timestamp.now())
        fields["source"] = .string(event.source ?? "")
        fields["seq"] = .int(Int64(event.seq ?? 0))
        return line(of: .object(fields))
    }

    private func line(of value: JSONValue) -> Data {
        var bytes = writer.bytes(value)
        bytes.append(0x0A)
        return Data(bytes)
    }

    private func append(_ session: String, _ name: String, _ data: Data) throws {
        let key = "\(session)/\(name)"
        let handle: FileHandle
        if let open = handles[key] {
            handle = open
        } else {
            let folder = try folder(session)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent(name)
            if !FileManager.default.fileExists(atPath: file.path) {
                guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
                }
            }
            handle = try FileHandle(forWritingTo: file)
            try handle.seekToEnd()
            handles[key] = handle
        }
        do {
            try handle.write(contentsOf: data)
        } catch {
            // Reopen next time: the file may have been replaced, or the disk freed.
            try? handle.close()
            handles[key] = nil
            throw error
        }
    }

    /// Whole-file replacement that is never seen half-written.
    private func write(_ data: Data, to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).tmp")
        try data.write(to: temporary)
        if rename(temporary.path, file.path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }

    // MARK: Recovery and reading

    /// The highest sequence number already written per publisher, read back from the logs
    /// themselves (so a restart neither loses nor repeats a line). A line cut short by a crash
    /// is removed first.
    func recoverLastSequences() -> [String: UInt64] {
        var last: [String: UInt64] = [:]
        for session in sessionIDs() {
            for name in ["command.log", "events.log"] {
                let file = root.appendingPathComponent(session).appendingPathComponent(name)
                guard let data = try? Data(contentsOf: file), !data.isEmpty else { continue }
                var whole = data
                if data.last != 0x0A {
                    let cut = (data.lastIndex(of: 0x0A).map { $0 + 1 }) ?? data.startIndex
                    whole = data[data.startIndex..<cut]
                    try? FileHandle(forWritingTo: file).truncate(atOffset: UInt64(whole.count))
                }
                for line in whole.split(separator: 0x0A).suffix(64) {
                    guard let value = try? JSONParser.parse(line), let source = value["source"]?.stringValue,
                          let seq = value["seq"]?.intValue, seq > 0 else { continue }
                    last[source] = max(last[source] ?? 0, UInt64(seq))
                }
            }
        }
        return last
    }

    func sessionIDs() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter(Self.isValidSessionID).sorted()
    }

    /// A page of lines: the last `tail`, or `limit` from line `offset` (0-based).
    struct LineWindow: Sendable {
        var tail: Int?
        var offset: Int?
        var limit: Int?
    }

    /// The latest render is read as `render.png` (base64, its bytes are not text).
    static let renderFile = "render.png"

    func read(_ session: String, file name: String, window: LineWindow = .init()) throws(BusError) -> JSONValue {
        guard Self.readable.contains(name) || name == Self.renderFile else {
            throw BusError(code: ErrorCode.badParams,
                           message: "logs.read: param 'file' must be one of \((Self.readable.sorted() + [Self.renderFile]).joined(separator: ", ")), got \"\(name)\"")
        }
        let path = name == Self.renderFile ? "renders/latest.png" : name
        let file = try folder(session).appendingPathComponent(path)
        guard let data = try? Data(contentsOf: file) else {
            throw BusError(code: "not_found", message: "session '\(session)' has no \(name) yet")
        }
        if name == Self.renderFile {
            return ["session_id": .string(session), "file": .string(name), "content": .string(data.base64EncodedString()),
                    "encoding": "base64", "bytes": .int(Int64(data.count))]
        }
        var text = String(decoding: data, as: UTF8.self)
        var truncated = false
        var lineCount: Int?
        if window.tail != nil || window.offset != nil || window.limit != nil {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let body = lines.last == "" ? lines.dropLast() : lines[...]
            let picked: ArraySlice<Substring>
            if let tail = window.tail, tail > 0 {
                picked = body.suffix(tail)
            } else {
                picked = body.dropFirst(max(0, window.offset ?? 0)).prefix(max(0, window.limit ?? Int.max))
            }
            truncated = picked.count < body.count
            lineCount = body.count
            text = picked.joined(separator: "\n") + (picked.isEmpty ? "" : "\n")
        }
        return ["session_id": .string(session), "file": .string(name), "content": .string(text),
                "bytes": .int(Int64(data.count)), "truncated": .bool(truncated),
                "lines": lineCount.map { .int(Int64($0)) } ?? .null]
    }

    func readJSON(_ session: String, file name: String) -> JSONValue? {
        guard let folder = try? folder(session), let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { return nil }
        return try? JSONParser.parse(data)
    }

    /// The last `limit` command records of a session, for its design document.
    func commandLines(_ session: String, limit: Int) -> (lines: [JSONValue], total: Int) {
        guard let folder = try? folder(session), let data = try? Data(contentsOf: folder.appendingPathComponent("command.log")) else {
            return ([], 0)
        }
        let all = data.split(separator: 0x0A)
        return (all.suffix(limit).compactMap { try? JSONParser.parse($0) }, all.count)
    }

    func firstLines(_ session: String, file name: String, limit: Int) -> [JSONValue] {
        guard let folder = try? folder(session), let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { return [] }
        return data.split(separator: 0x0A).prefix(limit).compactMap { try? JSONParser.parse($0) }
    }

    func hasRender(_ session: String) -> Bool {
        guard let folder = try? folder(session) else { return false }
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("renders/latest.png").path)
    }
}
