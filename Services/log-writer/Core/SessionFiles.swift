import BusMessages
import Foundation
import ServiceKit

/// A session's folder under `BMCP_DATA/sessions/<id>/`: command.log, blender.log, events.log,
/// state.json, design.md with plan.svg and elevation.svg, code/ and renders/. Lines are appended whole; state.json and
/// design.md are replaced atomically (write a temporary file, then rename).
///
/// Loop-confined: the log-writer's loop is the only writer, so lines never interleave.
final class SessionFiles {
    static let readable: Set<String> = ["command.log", "blender.log", "events.log", "state.json", "design.md", "plan.svg", "elevation.svg"]

    let root: URL
    /// Open log files (command.log, blender.log, events.log), at most BMCP_LOG_OPEN_FILES.
    private let handles: OpenFiles
    private let writer = JSONWriter(sortedKeys: true)
    /// The event whose files were partly written when a write failed, and the parts done, so
    /// its retry writes each file once.
    private var partial: (event: String, done: Set<String>)?
    /// Checked session folders (checking an id costs more than writing its line).
    private var folders: [String: URL] = [:]
    /// How many checked folders are kept at most.
    static let rememberedFolders = 4096
    /// Lines in each session's command.log, once counted.
    private var commandCounts: [String: Int] = [:]

    /// Never fails: a data directory that cannot be written yet is reported by `writableError()`
    /// and written to once it can be; reads go on meanwhile.
    init(dataDirectory: String, openFiles: Int = Settings.logOpenFiles.defaultCount) {
        root = URL(fileURLWithPath: dataDirectory, isDirectory: true).appendingPathComponent("sessions", isDirectory: true)
        handles = OpenFiles(capacity: openFiles)
        try? makeFolder(root)
    }

    /// How many log files are open now (health reports it).
    var openFileCount: Int { handles.count }

    /// How many sessions this process keeps anything for (closed ones are forgotten).
    var rememberedSessions: Int { Set(folders.keys).union(commandCounts.keys).count }

    /// A closed session's files are closed too, and what is kept per session forgotten: a
    /// long-running log-writer sees thousands of sessions come and go. All of it comes back
    /// from the folder if the session is resumed.
    func closeFiles(of session: String) {
        handles.closeSession(session)
        folders[session] = nil
        commandCounts[session] = nil
    }

    /// Why the data directory cannot be written now, or nil when it can.
    func writableError() -> FileError? {
        do {
            try makeFolder(root)
        } catch {
            return error as? FileError ?? FileError(path: root.path, code: EIO)
        }
        return access(root.path, W_OK) == 0 ? nil : FileError(path: root.path, code: errno)
    }

    /// A session id becomes a folder name, so it may hold only safe characters.
    static func isValidSessionID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 128 && !id.hasPrefix(".")
            && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    func folder(_ session: String) throws(BusError) -> URL {
        if let known = folders[session] { return known }
        guard Self.isValidSessionID(session) else {
            throw BusError(code: ErrorCode.badParams, message: "session id '\(session)' is not a safe folder name")
        }
        let folder = root.appendingPathComponent(session, isDirectory: true)
        // A cache, not a record: a design.md rendered just after its session closed puts the
        // folder back, so it is emptied when full rather than left to grow with every session.
        if folders.count >= Self.rememberedFolders { folders.removeAll(keepingCapacity: true) }
        folders[session] = folder
        return folder
    }

    // MARK: Writing

    /// Writes one event where it belongs; returns the files it changed.
    ///
    /// An event is written whole or reported as failed; when it is tried again (the caller
    /// keeps it until the disk can take it), the files it already reached are not written twice.
    func record(_ event: Envelope) throws -> [String] {
        guard let session = event.session else { return [] }
        let folder = try folder(session)
        let key = "\(event.source ?? "")#\(event.seq ?? 0)"
        var done = partial?.event == key ? partial!.done : []
        func step(_ part: String, _ body: () throws -> Void) throws {
            guard !done.contains(part) else { return }
            do {
                try body()
            } catch {
                partial = (key, done)
                throw error
            }
            done.insert(part)
        }
        defer { if partial?.event == key, done.contains("command.log") || done.contains("events.log") { partial = nil } }

        guard event.op == EventName.commandCompleted || event.op == EventName.commandFailed else {
            try step("events.log") { try append(session, "events.log", line(of: event)) }
            return ["events.log"]
        }
        var changed = ["command.log"]
        var codeFile: String?
        if let code = event.params?["params"]?["code"]?.stringValue {
            let name = String(format: "code/%06llu.py", event.seq ?? 0)
            codeFile = name
            try step("code") { try write(Data(code.utf8), to: folder.appendingPathComponent(name)) }
        }
        if let image = event.params?["image_base64"]?.stringValue, let data = Data(base64Encoded: image) {
            let ext = event.params?["image_format"]?.stringValue ?? "png"
            try step("render") {
                try write(data, to: folder.appendingPathComponent(String(format: "renders/%06llu.\(ext)", event.seq ?? 0)))
                try write(data, to: folder.appendingPathComponent("renders/latest.\(ext)"))
            }
        }
        let blender = CommandRecord.blenderLines(event)
        if !blender.isEmpty {
            try step("blender.log") { try append(session, "blender.log", Data(blender.utf8)) }
            changed.append("blender.log")
        }
        try step("command.log") { try append(session, "command.log", line(of: CommandRecord.line(event, codeFile: codeFile))) }
        if let count = commandCounts[session] { commandCounts[session] = count + 1 }
        return changed
    }

    func replaceState(_ session: String, with snapshot: JSONValue) throws {
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write(try pretty.encode(snapshot), to: try folder(session).appendingPathComponent("state.json"))
    }

    /// design.md, or one of its drawings (plan.svg, elevation.svg).
    func replaceDesign(_ session: String, file: String = "design.md", with text: String) throws {
        try write(Data(text.utf8), to: try folder(session).appendingPathComponent(file))
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

    /// Appends `data` whole (one write(2) for a line) or not at all: a short write (the disk
    /// filled up mid-line) is cut off again, so a retry never leaves half a line behind.
    private func append(_ session: String, _ name: String, _ data: Data) throws {
        let key = "\(session)/\(name)"
        let descriptor: Int32
        if let existing = handles.descriptor(key) {
            descriptor = existing
        } else {
            let folder = try folder(session)
            try makeFolder(folder)
            let path = folder.appendingPathComponent(name).path
            descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard descriptor >= 0 else { throw FileError(path: path, code: errno) }
            // A file made by an older version (0644) becomes private too.
            _ = fchmod(descriptor, 0o600)
            // A line cut short by a crash (not removed at start-up, the disk was read-only
            // then) goes before anything is appended after it.
            let size = lseek(descriptor, 0, SEEK_END)
            var last: UInt8 = 0x0A
            if size > 0, pread(descriptor, &last, 1, size - 1) == 1, last != 0x0A,
               ftruncate(descriptor, Self.endOfLastLine(descriptor, size: size)) != 0 {
                let code = errno
                close(descriptor)
                throw FileError(path: path, code: code)
            }
            handles.insert(descriptor, for: key)
        }
        let start = lseek(descriptor, 0, SEEK_END)
        do {
            try writeAll(descriptor, data, path: { root.appendingPathComponent(key).path })
        } catch {
            if start >= 0 { _ = ftruncate(descriptor, start) }
            // Reopen next time: the file may have been replaced, or the disk freed.
            handles.close(key)
            throw error
        }
    }

    /// Whole-file replacement that is never seen half-written: a temporary file, then rename.
    private func write(_ data: Data, to file: URL) throws {
        try makeFolder(file.deletingLastPathComponent())
        // A unique name, created exclusively: two writers (or a planted file or symlink) never meet.
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(RandomID.hex(8)).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw FileError(path: temporary, code: errno) }
        do {
            try writeAll(descriptor, data, path: { temporary })
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        if rename(temporary, file.path) != 0 {
            let code = errno
            unlink(temporary)
            throw FileError(path: file.path, code: code)
        }
    }

    private func writeAll(_ descriptor: Int32, _ data: Data, path: () -> String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let count = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw FileError(path: path(), code: errno)
                }
                offset += count
            }
        }
    }

    private func makeFolder(_ folder: URL) throws {
        guard !FileManager.default.fileExists(atPath: folder.path) else { return }
        var missing: [URL] = []
        var next = folder
        while !FileManager.default.fileExists(atPath: next.path), next.path != "/" {
            missing.append(next)
            next = next.deletingLastPathComponent()
        }
        for path in missing.reversed().map(\.path) {
            if mkdir(path, 0o700) != 0, errno != EEXIST { throw FileError(path: path, code: errno) }
        }
    }

    // MARK: Recovery and reading

    /// The highest sequence number already written per publisher, read back from the logs
    /// themselves (so a restart neither loses nor repeats a line). A line cut short by a crash
    /// is removed first.
    func recoverLastSequences() -> [String: UInt64] {
        var last: [String: UInt64] = [:]
        for session in sessionIDs() {
            for name in ["command.log", "events.log", "blender.log"] {
                let path = root.appendingPathComponent(session).appendingPathComponent(name).path
                let lines = Self.cutShortLineAndReadTail(path)
                guard name != "blender.log" else { continue }
                for line in lines.suffix(64) {
                    guard let value = try? JSONParser.parse(line), let source = value["source"]?.stringValue,
                          let seq = value["seq"]?.intValue, seq > 0 else { continue }
                    last[source] = max(last[source] ?? 0, UInt64(seq))
                }
            }
        }
        return last
    }

    /// The whole lines at the end of a file, reading only its last 256 KiB when that holds a
    /// line break. A last line left without its newline (a crash mid-write) is not one of them,
    /// and is cut off the file when the file can be written (else before the next append).
    static func cutShortLineAndReadTail(_ path: String) -> [Data] {
        guard let handle = FileHandle(forReadingAtPath: path), let size = try? handle.seekToEnd(), size > 0 else { return [] }
        defer { try? handle.close() }
        var start = size > 256 * 1024 ? size - 256 * 1024 : 0
        while true {
            guard (try? handle.seek(toOffset: start)) != nil else { return [] }
            let tail = handle.readData(ofLength: Int(size - start))
            var whole = tail[...]
            if tail.last != 0x0A {
                guard let newline = tail.lastIndex(of: 0x0A) else {
                    if start > 0 { start = 0; continue }  // one long line: look further back
                    _ = truncate(path, 0)
                    return []
                }
                whole = tail[tail.startIndex...newline]
                _ = truncate(path, off_t(start) + off_t(whole.count))
            }
            var lines = whole.split(separator: 0x0A, omittingEmptySubsequences: true)
            if start > 0, !lines.isEmpty { lines.removeFirst() }  // began mid-line
            return lines.map { Data($0) }
        }
    }

    /// Where the file's last whole line ends (0 if it has none), reading back from its end.
    private static func endOfLastLine(_ descriptor: Int32, size: off_t) -> off_t {
        var end = size
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while end > 0 {
            let start = max(0, end - off_t(buffer.count))
            let count = pread(descriptor, &buffer, Int(end - start), start)
            guard count > 0 else { return 0 }
            if let index = buffer[0..<count].lastIndex(of: 0x0A) { return start + off_t(index) + 1 }
            end = start
        }
        return 0
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

    /// The last `limit` command records of a session, for its design document, and how many
    /// there are. Reads only the end of the file; the count is kept once made.
    func commandLines(_ session: String, limit: Int) -> (lines: [JSONValue], total: Int) {
        guard let folder = try? folder(session) else { return ([], 0) }
        let path = folder.appendingPathComponent("command.log").path
        let total: Int
        if let known = commandCounts[session] {
            total = known
        } else {
            guard let counted = Self.countLines(path) else { return ([], 0) }
            total = counted
            commandCounts[session] = counted
        }
        return (Self.lastLines(path, limit: limit).compactMap { try? JSONParser.parse($0) }, total)
    }

    /// The first `limit` lines of a file (read from its first 256 KiB).
    func firstLines(_ session: String, file name: String, limit: Int) -> [JSONValue] {
        guard let folder = try? folder(session), let handle = FileHandle(forReadingAtPath: folder.appendingPathComponent(name).path) else {
            return []
        }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 256 * 1024)
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: true)
        if head.count == 256 * 1024, head.last != 0x0A, !lines.isEmpty { lines.removeLast() }  // cut short
        return lines.prefix(limit).compactMap { try? JSONParser.parse($0) }
    }

    static func countLines(_ path: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Int in
            guard var cursor = buffer.baseAddress else { return 0 }
            let end = cursor + buffer.count
            var count = 0
            while cursor < end, let found = memchr(cursor, 0x0A, end - cursor) {
                count += 1
                cursor = UnsafeRawPointer(found) + 1
            }
            return count
        }
    }

    /// The last `limit` whole lines of a file, reading back from its end only as far as needed.
    static func lastLines(_ path: String, limit: Int) -> [Data] {
        guard limit > 0, let handle = FileHandle(forReadingAtPath: path), let size = try? handle.seekToEnd() else { return [] }
        defer { try? handle.close() }
        var chunk: UInt64 = 64 * 1024
        while true {
            let start = size > chunk ? size - chunk : 0
            guard (try? handle.seek(toOffset: start)) != nil else { return [] }
            let data = handle.readData(ofLength: Int(size - start))
            var lines = data.split(separator: 0x0A, omittingEmptySubsequences: true)
            if start > 0, !lines.isEmpty { lines.removeFirst() }  // began mid-line
            if lines.count >= limit || start == 0 { return lines.suffix(limit).map { Data($0) } }
            chunk *= 4
        }
    }

    func hasRender(_ session: String) -> Bool {
        guard let folder = try? folder(session) else { return false }
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("renders/latest.png").path)
    }
}

/// A file operation that failed, with the system's reason ("No space left on device",
/// "Read-only file system"), as health and the log say it.
struct FileError: Error, CustomStringConvertible, Equatable {
    let path: String
    let code: Int32

    var description: String { "\(path): \(String(cString: strerror(code)))" }
}
