import ArgumentParser
import BusMessages
import Foundation
import ServiceKit

/// `bmcp call`: sends one op through the session-broker, as mcp-front would, and prints the
/// answer; with `--repeat` it reports round-trip percentiles instead (bus benchmarks).
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Send an op (e.g. scene.info) through the session-broker and print the answer.")

    @OptionGroup var broker: BrokerOptions
    @OptionGroup var keys: KeysOptions
    @Argument(help: "The op, e.g. scene.info, object.info, code.execute, broker.health")
    var op: String
    @Option(help: "Params as a JSON object")
    var params: String = "{}"
    @Option(help: "Session id to send with the op")
    var session: String?
    @Option(name: .customLong("repeat"), help: "Send it this many times (after 50 warm-up calls) and print latency percentiles")
    var count: Int?
    @Option(help: "Seconds to wait for each answer")
    var timeout: Double = 30

    func run() async throws {
        keys.apply()
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(Array(params.utf8))
        } catch {
            throw ValidationError("--params must be a JSON object: \(error)")
        }
        guard parsed.objectValue != nil else { throw ValidationError("--params must be a JSON object, got \(parsed.typeName)") }
        let client = try RequestClient(endpoint: broker.clients)
        let outcome = await Result { try await exchange(client, params: parsed) } as Result<Void, Error>
        await client.shutdown()
        try outcome.get()
    }

    private func exchange(_ client: RequestClient, params: JSONValue) async throws {
        let timeout = Duration.milliseconds(Int(timeout * 1000))
        let request = { Envelope.request(op: op, session: session, params: params, source: "bmcp") }

        guard let count else {
            let answer = try await client.send(request(), timeout: timeout)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            if answer.kind == .reply {
                print(String(decoding: try encoder.encode(answer.result ?? .null), as: UTF8.self))
            } else {
                throw answer.error ?? BusError(code: "unknown", message: "error without detail")
            }
            return
        }
        for _ in 0..<50 { _ = try await client.send(request(), timeout: timeout) }
        var samples: [Double] = []
        samples.reserveCapacity(count)
        var failures = 0
        for _ in 0..<count {
            let start = MonotonicClock.nanoseconds()
            let answer = try await client.send(request(), timeout: timeout)
            samples.append(Double(MonotonicClock.nanoseconds() - start) / 1000)
            if answer.kind != .reply { failures += 1 }
        }
        samples.sort()
        func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        print(String(format: "%@ x%d via broker: p50 %.1f us  p90 %.1f us  p99 %.1f us  max %.1f us  errors %d",
                     op, count, percentile(0.5), percentile(0.9), percentile(0.99), samples.last ?? 0, failures))
    }
}
