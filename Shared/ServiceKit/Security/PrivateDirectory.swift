import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder only this user may enter: created 0700, and refused when it is a symlink, belongs
/// to another user or lets group or others in. The run folder (ipc:// sockets), the keys and
/// the secrets live in such folders, so whoever can reach them is this user already.
public enum PrivateDirectory {
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Makes `path` (and missing parents, parents with the default mode) and checks it.
    /// `tighten`: a folder of ours that others may enter is made 0700 (our own keys, secrets,
    /// run and log folders, which an older version or a umask left open); otherwise it is
    /// refused. A sticky folder (/tmp) is never changed.
    public static func prepare(_ path: String, tighten: Bool = true) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, !FileManager.default.fileExists(atPath: parent) {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw Refusal(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        try check(path, tighten: tighten)
    }

    /// Makes `path` 0700 if it is missing, and otherwise leaves it as it is: for a folder the
    /// user may have chosen (BMCP_DATA can be any folder, even their home), whose contents
    /// are made private one by one instead.
    public static func ensure(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try prepare(path)
    }

    /// Checks without creating: a directory, not a symlink, ours, mode 0700 or stricter
    /// (with `tighten`, made so). Works on one open descriptor (O_NOFOLLOW), so a symlink
    /// swapped in between the check and the chmod cannot redirect either.
    public static func check(_ path: String, tighten: Bool = false) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ELOOP || errno == ENOTDIR
                ? "is not a directory (a symlink or a file there is refused: someone else may have planted it)"
                : "cannot be opened: \(String(cString: strerror(errno)))"
            throw Refusal(description: "\(path) \(reason)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Refusal(description: "\(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_uid == getuid() else {
            throw Refusal(description: "\(path) belongs to uid \(info.st_uid), not to this user (uid \(getuid())): refusing to use it; remove it or choose another folder")
        }
        if info.st_mode & 0o077 != 0 {
            // A sticky folder (/tmp) is shared by design: never change it, whoever owns it.
            guard tighten, info.st_mode & S_ISVTX == 0 else {
                throw Refusal(description: "\(path) is open to other users (mode \(String(info.st_mode & 0o777, radix: 8))): it must be a folder only you can enter (chmod 700 it, or use another; the default run folder, BMCP_RUN, is one)")
            }
            guard fchmod(fd, 0o700) == 0 else {
                throw Refusal(description: "\(path) is open to other users (mode \(String(info.st_mode & 0o777, radix: 8))) and chmod 0700 failed: \(String(cString: strerror(errno)))")
            }
        }
    }
}
