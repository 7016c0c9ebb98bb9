import Foundation
import ServiceKit

/// The GUI Blenders whose addon announced itself in `<run folder>/addons/<pid>.json` (see
/// Addon/bmcp_addon/announce.py): what `bmcp up --attach` (bare) attaches.
///
/// An announcement whose pid is dead was left by a Blender that crashed: it is ignored and
/// deleted. One that does not parse, or that is not the user's own 0600 file, is skipped with
/// a warning naming it: an announcement says where an authenticated door is, nothing more.
struct AnnouncedBlenders {
    struct Announcement: Equatable {
        let address: String
        let pid: Int32
        let blendFile: String?
    }

    let folder: String

    init(runFolder: String) {
        folder = runFolder + "/addons"
    }

    /// The live announcements, sorted by pid, and a warning for each file skipped.
    func live() -> (found: [Announcement], warnings: [String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var found: [Announcement] = []
        var warnings: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = folder + "/" + name
            switch read(path) {
            case .success(let announcement):
                if RunDirectory.isAlive(announcement.pid) {
                    found.append(announcement)
                } else {
                    try? FileManager.default.removeItem(atPath: path)  // stale: its Blender is gone
                }
            case .failure(let problem):
                warnings.append("\(path): \(problem.reason); skipped")
            }
        }
        return (found.sorted { $0.pid < $1.pid }, warnings)
    }

    /// `--attach` values with each `auto` replaced by every live announcement (at least one, or
    /// an error saying what to do); explicit addresses are kept as given.
    func resolve(_ attached: [String]) throws -> (addresses: [String], warnings: [String]) {
        guard attached.contains(AttachArgument.auto) else { return (attached, []) }
        let (found, warnings) = live()
        guard !found.isEmpty else {
            throw AttachError(message: "--attach: no GUI Blender with the Blender MCP v2 add-on announced itself in \(folder) "
                + "(\(warnings.isEmpty ? "no live announcement" : warnings.joined(separator: "; "))). Start Blender with the add-on "
                + "enabled (`bmcp install-addon` installs it), check its MCP sidebar tab says it is listening, or give --attach HOST:PORT")
        }
        var addresses: [String] = []
        for value in attached {
            for address in value == AttachArgument.auto ? found.map(\.address) : [value] where !addresses.contains(address) {
                addresses.append(address)
            }
        }
        return (addresses, warnings)
    }

    struct AttachError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    struct Problem: Error {
        let reason: String
    }

    private func read(_ path: String) -> Result<Announcement, Problem> {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .failure(Problem(reason: String(cString: strerror(errno)))) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .failure(Problem(reason: "not a regular file")) }
        guard info.st_uid == getuid() else { return .failure(Problem(reason: "owned by uid \(info.st_uid), not by us")) }
        guard info.st_mode & 0o077 == 0 else { return .failure(Problem(reason: "readable by others (want 0600)")) }
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return .failure(Problem(reason: "not a JSON object"))
        }
        guard let host = object["host"] as? String, let port = object["port"] as? Int, (1...65535).contains(port),
              let pid = object["pid"] as? Int, pid > 0 else {
            return .failure(Problem(reason: "needs host (string), port (1…65535) and pid"))
        }
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return .success(Announcement(address: address, pid: Int32(pid), blendFile: object["blend_file"] as? String))
    }
}
