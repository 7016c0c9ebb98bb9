// Shared by every fuzz target (compiled into each one). Nothing here is production code.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A broken property: print what broke and abort, so libFuzzer saves the input as a crash.
func violated(_ what: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) -> Never {
    let message = "property violated at \(file):\(line): \(what())\n"
    fputs(message, stderr)
    abort()
}

func require(_ condition: Bool, _ what: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { violated(what(), file: file, line: line) }
}

/// Deterministic per input, so a saved crash replays the same way.
struct SplitMix64 {
    var state: UInt64
    init<Bytes: Sequence>(seed bytes: Bytes) where Bytes.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        state = h
    }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}
