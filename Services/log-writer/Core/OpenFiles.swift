import Foundation
import Glibc

/// The log files log-writer holds open: at most `capacity` descriptors, the least recently
/// written closed first, so a thousand sessions do not cost a thousand descriptors (a common
/// limit is 1,024 for the whole process). A closed file is simply opened again, in append
/// mode, when its session writes next. Keys are "<session>/<file>".
///
/// Loop-confined, like the `SessionFiles` that owns it.
final class OpenFiles {
    let capacity: Int
    private var descriptors: [String: (fd: Int32, used: UInt64)] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity >= 1, "OpenFiles needs room for one file")
        self.capacity = capacity
    }

    deinit { closeAll() }

    var count: Int { descriptors.count }

    /// The open descriptor for `key`, marked as just used; nil when it is not open.
    func descriptor(_ key: String) -> Int32? {
        guard let entry = descriptors[key] else { return nil }
        clock += 1
        descriptors[key] = (entry.fd, clock)
        return entry.fd
    }

    /// Keeps `fd` open under `key`, closing the least recently used file first when full.
    func insert(_ fd: Int32, for key: String) {
        if let old = descriptors[key], old.fd != fd { Glibc.close(old.fd) }
        if descriptors[key] == nil, descriptors.count >= capacity,
           let oldest = descriptors.min(by: { $0.value.used < $1.value.used }) {
            Glibc.close(oldest.value.fd)
            descriptors[oldest.key] = nil
        }
        clock += 1
        descriptors[key] = (fd, clock)
    }

    /// Closes `key`'s file if it is open.
    func close(_ key: String) {
        guard let entry = descriptors.removeValue(forKey: key) else { return }
        Glibc.close(entry.fd)
    }

    /// Closes every file of `session` (it closed: nothing more will be appended for a while).
    func closeSession(_ session: String) {
        for key in descriptors.keys where key.hasPrefix(session + "/") { close(key) }
    }

    func closeAll() {
        for entry in descriptors.values { Glibc.close(entry.fd) }
        descriptors.removeAll()
    }
}
