import Foundation
import BusMessages

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A secret kept in a file only this user can read (0600, in a 0700 folder, opened without
/// following symlinks). Tokens are generated here, never taken from a command line, and never
/// logged: callers log the path, not the value.
public enum SecretFile {
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// The secret in `path`; a new random one (32 bytes, base64url) written there first when the
    /// file does not exist.
    public static func loadOrCreate(_ path: String) throws -> String {
        if let existing = try read(path) { return existing }
        let secret = RandomID.token()
        do {
            try write(secret, to: path, exclusive: true)
            return secret
        } catch let error as Refusal where FileManager.default.fileExists(atPath: path) {
            // Another process created it between our read and write: use theirs.
            guard let theirs = try read(path) else { throw error }
            return theirs
        }
    }

    /// The secret in `path`, nil when there is no such file. Refuses a file others may read.
    public static func read(_ path: String) throws -> String? {
        try read(path, allowReadableByOthers: false)
    }

    /// A file that is no secret but must be trusted (a public key, an allow-list): others may
    /// read it, but it must be ours, not a symlink, and writable by no one else.
    public static func readTrusted(_ path: String) throws -> String? {
        try read(path, allowReadableByOthers: true)
    }

    private static func read(_ path: String, allowReadableByOthers: Bool) throws -> String? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Refusal(description: "cannot open \(path): \(String(cString: strerror(errno))) (a symlink is refused)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw Refusal(description: "\(path) is not a regular file")
        }
        guard info.st_uid == getuid() else {
            throw Refusal(description: "\(path) belongs to uid \(info.st_uid), not to this user: refusing a secret someone else could have written")
        }
        guard info.st_mode & (allowReadableByOthers ? 0o022 : 0o077) == 0 else {
            throw Refusal(description: "\(path) is \(allowReadableByOthers ? "writable" : "readable") by other users (mode \(String(info.st_mode & 0o777, radix: 8))): run chmod \(allowReadableByOthers ? "644" : "600") \(path), or delete it to have a new one made")
        }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(fd, &bytes, bytes.count)
        guard count >= 0 else { throw Refusal(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        let text = String(decoding: bytes.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw Refusal(description: "\(path) is empty: delete it to have a new secret made") }
        return text
    }

    /// Writes `secret` to `path` 0600 (its folder 0700); `exclusive` fails if the file exists,
    /// otherwise it is replaced through a unique temporary name and a rename.
    public static func write(_ secret: String, to path: String, exclusive: Bool) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try PrivateDirectory.prepare(folder.isEmpty ? "." : folder)
        let target = exclusive ? path : "\(path).\(RandomID.hex(8)).tmp"
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Refusal(description: "cannot create \(target): \(String(cString: strerror(errno)))") }
        let data = Array((secret + "\n").utf8)
        let written = data.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced else {
            unlink(target)
            throw Refusal(description: "cannot write \(target): \(String(cString: strerror(errno)))")
        }
        if !exclusive, rename(target, path) != 0 {
            unlink(target)
            throw Refusal(description: "cannot rename \(target) to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
