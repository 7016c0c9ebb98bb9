import BusMessages
import Foundation

/// Turns a `command.completed` / `command.failed` event into its command.log line and its
/// blender.log lines. Large values are replaced by a hash and a size, so the log stays
/// readable; the full text of code is kept in `code/<seq>.py` beside it.
enum CommandRecord {
    /// Strings longer than this in params are elided.
    static let elideAbove = 2048

    static func line(_ event: Envelope, codeFile: String?) -> JSONValue {
        let payload = event.params ?? [:]
        var line: [String: JSONValue] = [
            "seq": .int(Int64(event.seq ?? 0)),
            "ts": .string(event.ts ?? Timestamp.now()),
            "source": .string(event.source ?? ""),
            "session": .string(event.session ?? ""),
            "status": .string(event.op == EventName.commandCompleted ? "ok" : "error"),
        ]
        for key in ["request_id", "tool", "op", "duration_ms", "changed", "client", "instance"] {
            if let value = payload[key] { line[key] = value }
        }
        if let error = payload["error"] {
            line["error"] = ["code": error["code"] ?? .null, "message": error["message"] ?? .null]
        }
        line["params"] = elide(payload["params"] ?? [:], codeFile: codeFile)
        return .object(line)
    }

    static func elide(_ params: JSONValue, codeFile: String?) -> JSONValue {
        guard case .object(var fields) = params else { return params }
        for (key, value) in fields {
            guard case .string(let text) = value else { continue }
            let bytes = text.utf8.count
            if key == "code", let codeFile {
                fields[key] = ["file": .string(codeFile), "bytes": .int(Int64(bytes)), "fnv1a64": .string(fnv1a64(text))]
            } else if bytes > elideAbove {
                fields[key] = ["elided": true, "bytes": .int(Int64(bytes)), "fnv1a64": .string(fnv1a64(text))]
            }
        }
        return .object(fields)
    }

    /// What Blender printed for this command, one timestamped line per printed line.
    static func blenderLines(_ event: Envelope) -> String {
        let payload = event.params ?? [:]
        let stamp = event.ts ?? Timestamp.now()
        let request = payload["request_id"]?.stringValue.map { String($0.prefix(8)) } ?? "-"
        var out = ""
        func emit(_ stream: String, _ text: String?) {
            guard let text, !text.isEmpty else { return }
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
                out += "\(stamp) [\(request)] \(stream) | \(line)\n"
            }
        }
        emit("stdout", payload["stdout"]?.stringValue)
        emit("stderr", payload["stderr"]?.stringValue)
        if let error = payload["error"] {
            emit("error ", "\(error["code"]?.stringValue ?? "?"): \(error["message"]?.stringValue ?? "")")
            emit("trace ", error["detail"]?.stringValue)
        }
        return out
    }

    /// FNV-1a, 64-bit: enough to tell two large values apart in a log, with no crypto library.
    static func fnv1a64(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
