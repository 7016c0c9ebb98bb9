// mcp-latency: a lean MCP client in Swift for the latency budgets (issue 9.1, 9.2). It starts
// mcp-front over stdio, does the MCP handshake, and times JSON-RPC round trips with nothing
// but a blocking read between them, so the figures are the server's and not a client
// library's (the official Python client costs 0.4-0.8 ms of its own per call here).
//
//   mcp-latency --front PATH [--addon-port N] [--calls 500] [--warmup 50] [--rows ping,create,scene]
//
// Prints one JSON object: per measured row, its samples in ms (the runner takes percentiles,
// as for every other figure). With --addon-port, each
// MCP get_scene_info is paired with the same scene.info sent straight to the addon's socket,
// alternating, so the bus overhead is a per-call difference taken under the same conditions.

import BusMessages
import ServiceKit
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func option(_ name: String, default value: String? = nil) -> String? {
    let args = CommandLine.arguments
    guard let index = args.firstIndex(of: name), index + 1 < args.count else { return value }
    return args[index + 1]
}

func nowNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Blocking reads of a file descriptor, split into lines or exact byte counts.
struct Reader {
    let fd: Int32
    var buffer: [UInt8] = []

    mutating func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = read(fd, &chunk, chunk.count)
        guard count > 0 else { throw Failure(description: "peer closed its end (read returned \(count))") }
        buffer += chunk[0..<count]
    }

    mutating func line() throws -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                return line
            }
            try fill()
        }
    }

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let taken = Array(buffer[..<count])
        buffer.removeFirst(count)
        return taken
    }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written > 0 else { throw Failure(description: "write failed: \(String(cString: strerror(errno)))") }
        offset += written
    }
}

/// mcp-front as a child process, spoken to in newline-delimited JSON-RPC.
final class MCPConnection {
    private let process = Process()
    private let input: Int32
    private var output: Reader
    private var nextID: Int64 = 0

    init(front: String) throws {
        let toServer = Pipe(), fromServer = Pipe()
        process.executableURL = URL(fileURLWithPath: front)
        process.standardInput = toServer
        process.standardOutput = fromServer
        try process.run()
        input = toServer.fileHandleForWriting.fileDescriptor
        output = Reader(fd: fromServer.fileHandleForReading.fileDescriptor)
        let initialized = try request("initialize", [
            "protocolVersion": "2025-11-25", "capabilities": [:],
            "clientInfo": ["name": "mcp-latency", "version": "1"],
        ])
        guard initialized["protocolVersion"]?.stringValue != nil else {
            throw Failure(description: "initialize answered without a protocolVersion: \(initialized)")
        }
        try writeAll(input, JSONWriter().bytes(["jsonrpc": "2.0", "method": "notifications/initialized"]) + [0x0A])
    }

    /// One request and its result; notifications in between (progress, resources) are skipped.
    func request(_ method: String, _ params: JSONValue = [:]) throws -> JSONValue {
        nextID += 1
        let id = JSONValue.int(nextID)
        try writeAll(input, JSONWriter().bytes(["jsonrpc": "2.0", "id": id, "method": .string(method), "params": params]) + [0x0A])
        while true {
            let message = try JSONParser.parse(try output.line())
            guard message["id"] == id else { continue }
            if let error = message["error"] { throw Failure(description: "\(method) failed: \(error)") }
            return message["result"] ?? .null
        }
    }

    /// A tool call whose result must not be an error.
    func call(_ tool: String, _ arguments: JSONValue = [:]) throws -> String {
        let result = try request("tools/call", ["name": .string(tool), "arguments": arguments])
        let text = result["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        guard result["isError"]?.boolValue != true else { throw Failure(description: "\(tool) failed: \(text)") }
        return text
    }

    func close() {
        Glibc.close(input)
        process.waitUntilExit()
    }
}

/// The addon's v2 socket: 4-byte big-endian length, then a JSON object.
final class AddonConnection {
    private let fd: Int32
    private var reader: Reader
    private var nextID = 0

    init(port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        reader = Reader(fd: fd)
        guard connected == 0 else { throw Failure(description: "cannot connect to the addon on port \(port): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // The bridge's greeting (AddonHandshake), with the token the system gave its Blenders.
        let nonce = AddonHandshake.nonce()
        var hello = try exchange(["type": "hello", "protocol": 2, "client": "mcp-latency", "nonce": .string(nonce)])
        if hello["type"] == "challenge", let token = ProcessInfo.processInfo.environment["BMCP_ADDON_TOKEN"],
           let serverNonce = hello["nonce"]?.stringValue, let proof = hello["proof"]?.stringValue,
           AddonHandshake.verifyAddonProof(proof, token: token, clientNonce: nonce, serverNonce: serverNonce, port: port) {
            hello = try exchange(["type": "auth", "proof": .string(AddonHandshake.bridgeProof(token: token, clientNonce: nonce, serverNonce: serverNonce, port: port))])
        }
        guard hello["type"] == "hello" else { throw Failure(description: "the addon refused hello: \(hello)") }
    }

    func request(_ op: String, _ params: JSONValue = [:]) throws -> JSONValue {
        nextID += 1
        let answer = try exchange(["type": "request", "id": .string("r\(nextID)"), "op": .string(op), "params": params])
        guard answer["type"] == "reply" else { throw Failure(description: "\(op) failed: \(answer)") }
        return answer["result"] ?? .null
    }

    private func exchange(_ message: JSONValue) throws -> JSONValue {
        let payload = JSONWriter().bytes(message)
        let size = UInt32(payload.count).bigEndian
        try writeAll(fd, withUnsafeBytes(of: size) { Array($0) } + payload)
        let header = try reader.bytes(4)
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        return try JSONParser.parse(try reader.bytes(length))
    }
}

func timed(_ calls: Int, warmup: Int, _ body: () throws -> Void) rethrows -> [Double] {
    for _ in 0..<warmup { try body() }
    var samples: [Double] = []
    samples.reserveCapacity(calls)
    for _ in 0..<calls {
        let start = nowNanoseconds()
        try body()
        samples.append(Double(nowNanoseconds() - start) / 1e6)
    }
    return samples
}

func samples(_ values: [Double]) -> JSONValue {
    .array(values.map(JSONValue.double))
}

func main() throws {
    guard let front = option("--front") else { throw Failure(description: "usage: mcp-latency --front PATH [--addon-port N] [--calls N] [--warmup N]") }
    let calls = Int(option("--calls", default: "500")!) ?? 500
    let warmup = Int(option("--warmup", default: "50")!) ?? 50
    let wanted = Set(option("--rows", default: "ping,create,scene")!.split(separator: ",").map(String.init))
    let mcp = try MCPConnection(front: front)
    defer { mcp.close() }
    var rows: [String: JSONValue] = [:]

    if wanted.contains("ping") {
        rows["ping"] = samples(try timed(calls, warmup: warmup) { _ = try mcp.request("ping") })
    }
    if wanted.contains("create") {
        rows["create_session"] = samples(try timed(calls, warmup: warmup) { _ = try mcp.call("create_session", ["name": "bench"]) })
    }
    if wanted.contains("scene"), let port = option("--addon-port").flatMap(Int.init) {
        // The connection's current session is the last one created; give it the bench scene.
        let made = try mcp.call("execute_blender_code", ["code": """
            import bpy
            for o in list(bpy.data.objects): bpy.data.objects.remove(o, do_unlink=True)
            mesh = bpy.data.meshes.new('bench')
            for i in range(10):
                o = bpy.data.objects.new('Obj%05d' % i, mesh); bpy.context.scene.collection.objects.link(o)
            print(len(bpy.context.scene.objects))
            """])
        guard made.contains("10") else { throw Failure(description: "the bench scene was not built: \(made)") }
        let addon = try AddonConnection(port: port)
        let objects = try addon.request("scene.info")["object_count"]?.intValue
        guard objects == 10 else { throw Failure(description: "the addon's scene holds \(objects.map(String.init) ?? "no count of") objects, not 10") }
        var direct: [Double] = [], chain: [Double] = [], overhead: [Double] = []
        for round in 0..<(warmup + calls) {
            let start = nowNanoseconds()
            _ = try addon.request("scene.info")
            let middle = nowNanoseconds()
            _ = try mcp.call("get_scene_info")
            let end = nowNanoseconds()
            guard round >= warmup else { continue }
            direct.append(Double(middle - start) / 1e6)
            chain.append(Double(end - middle) / 1e6)
            overhead.append(Double(end - middle) / 1e6 - Double(middle - start) / 1e6)
        }
        rows["direct"] = samples(direct)
        rows["get_scene_info"] = samples(chain)
        rows["overhead"] = samples(overhead)
    }
    print(JSONWriter(sortedKeys: true).string(.object(rows)))
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("mcp-latency: \(error)\n".utf8))
    exit(1)
}
