// broker-throughput: the session-broker's own message rate, with no Blender behind it.
// The real broker runs on its own SocketLoop in this process; an in-process worker (a
// DEALER speaking the bridge's READY/HEARTBEAT/reply protocol) answers every request at
// once, and a client DEALER keeps `--window` requests in flight. Prints one JSON line.
//
//   broker-throughput [--messages 200000] [--window 64] [--op scene.info|broker.health]
import BusMessages
import Foundation
import ServiceKit
import SessionBrokerCore
import ZeroMQ

struct Arguments {
    var messages = 200_000
    var window = 64
    var op = Op.sceneInfo

    init(_ argv: [String]) {
        var rest = argv.dropFirst().makeIterator()
        while let flag = rest.next() {
            let value = rest.next() ?? ""
            switch flag {
            case "--messages": messages = Int(value) ?? messages
            case "--window": window = Int(value) ?? window
            case "--op": op = value
            default: fatalError("unknown argument \(flag)")
            }
        }
    }
}

let arguments = Arguments(CommandLine.arguments)
let base = "ipc:///tmp/bmcp-broker-throughput-\(ProcessInfo.processInfo.processIdentifier)/bus"
let configuration = BrokerConfiguration(
    clientsEndpoint: "\(base)-clients", workersEndpoint: "\(base)-workers",
    eventsInEndpoint: "\(base)-events-in", eventsOutEndpoint: "\(base)-events-out",
    dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("bmcp-broker-throughput-\(UUID().uuidString)"))
let broker = try SocketLoop(name: "broker")
broker.start { loop in loop.keep(try SessionBroker(loop: loop, configuration: configuration)) }

let context = try Context()
let codec = EnvelopeCodec()

func dealer(_ endpoint: String, id: String? = nil, timeout: Int32 = 5000) throws -> Socket {
    let socket = try context.socket(.dealer)
    if let id { try socket.set(.routingID(Data(id.utf8))) }
    try socket.set(.receiveTimeout(milliseconds: timeout))
    try socket.set(.linger(milliseconds: 0))
    try socket.connect(endpoint)
    return socket
}

/// The in-process worker: answers each request with a small scene-like result, and keeps the
/// broker's heartbeat contract so it is not declared dead.
final class EchoWorker: @unchecked Sendable {
    private let stopped = NSLock()
    private var stopping = false
    let result: JSONValue = ["objects": .array((0..<10).map { ["name": .string("Cube.\($0)"), "type": "MESH"] }), "count": 10]

    func run() throws {
        let socket = try dealer(configuration.workersEndpoint, id: "bench-worker", timeout: 200)
        _ = try socket.send(try codec.encode(Envelope(kind: .ready, params: [
            "bridge": "bench-worker", "instances": [["id": "bench-0", "capacity": 1]]])))
        var lastBeat = MonotonicClock.nanoseconds()
        while !stopped.withLock({ stopping }) {
            if MonotonicClock.nanoseconds() - lastBeat > 300_000_000 {
                _ = try socket.send(try codec.encode(Envelope(kind: .heartbeat)))
                lastBeat = MonotonicClock.nanoseconds()
            }
            guard let frames = try socket.receive(), let last = frames.last else { continue }
            let envelope = try codec.decode(last)
            if envelope.kind == .request {
                _ = try socket.send(try codec.encode(envelope.reply(result, source: "bench-worker")))
            }
        }
        socket.close()
    }

    func stop() { stopped.withLock { stopping = true } }
}

let worker = EchoWorker()
let workerThread = Thread { try! worker.run() }
workerThread.start()

let client = try dealer(configuration.clientsEndpoint)
// Wait until the broker routes to the worker (READY and requests travel on different connections).
var registered = false
for _ in 0..<200 where !registered {
    _ = try client.send(try codec.encode(.request(op: Op.sceneInfo, source: "bench")))
    if let frames = try client.receive() { registered = try codec.decode(frames.last!).kind == .reply }
    if !registered { usleep(20_000) }
}
guard registered else { fatalError("the broker never routed to the in-process worker") }

let request = { Envelope.request(op: arguments.op, source: "bench") }
var sent = 0, received = 0, errors = 0
let start = MonotonicClock.nanoseconds()
while received < arguments.messages {
    while sent < arguments.messages && sent - received < arguments.window {
        _ = try client.send(try codec.encode(request()))
        sent += 1
    }
    guard let frames = try client.receive() else { fatalError("no answer within 5 s after \(received) messages") }
    if try codec.decode(frames.last!).kind != .reply { errors += 1 }
    received += 1
}
let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
print(#"{"op": "\#(arguments.op)", "messages": \#(received), "window": \#(arguments.window), "seconds": \#(seconds), "per_second": \#(Double(received) / seconds), "errors": \#(errors)}"#)

worker.stop()
client.close()
broker.stop()
try await broker.finished()
exit(0)
