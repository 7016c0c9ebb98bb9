import BusMessages
import Foundation
import ServiceKit

/// The broker is where every command passes, so it is the one publisher of the command record
/// (`command.completed` / `command.failed`), and it keeps a bounded history of its events so a
/// subscriber that missed some can ask for them again (`events.replay`).
extension SessionBroker {
    func publishCommand(_ pending: InFlight, answer: Envelope) {
        guard let session = pending.request.session else { return }
        let request = pending.request
        var payload: [String: JSONValue] = [
            "request_id": .string(request.id),
            "op": .string(request.op ?? ""),
            "params": request.params ?? [:],
            "duration_ms": .double(Double(MonotonicClock.nanoseconds() - pending.started) / 1e6),
            "instance": pending.instance.map(JSONValue.string) ?? .null,
            "client": request.source.map(JSONValue.string) ?? .null,
        ]
        if let tool = request.meta?["tool"] { payload["tool"] = tool }
        if answer.kind == .reply {
            let result = answer.result ?? .null
            if let changed = result["changed"] { payload["changed"] = changed }
            // What Blender printed goes to blender.log; the rest of a result can be large.
            if request.op == Op.codeExecute {
                payload["stdout"] = result["result"] ?? .null
                payload["stderr"] = result["stderr"] ?? .null
            }
            // Renders go into the session's folder and its design document.
            if let image = result["base64"], request.op?.hasPrefix("render.") == true {
                payload["image_base64"] = image
                payload["image_format"] = result["format"] ?? "png"
            }
            events.publish(EventName.commandCompleted, session: session, payload: .object(payload))
        } else {
            let error = answer.error ?? BusError(code: "unknown", message: "")
            payload["error"] = error.json
            events.publish(EventName.commandFailed, session: session, payload: .object(payload))
        }
    }

    /// `events.replay {source, after_seq, limit}`: this broker's events after a sequence number.
    func replay(_ request: Envelope) -> Envelope {
        let params = request.params ?? [:]
        guard let after = params["after_seq"]?.intValue, after >= 0 else {
            return request.failure(BusError(code: ErrorCode.badParams,
                message: "events.replay: param 'after_seq' must be a non-negative whole number, got \(params["after_seq"]?.description ?? "nothing")"),
                source: source)
        }
        let limit = Int(min(max(params["limit"]?.intValue ?? 1000, 1), 5000))
        let history = events.history ?? EventHistory()
        var body: [String: JSONValue] = [
            "source": .string(source),
            "oldest_seq": .int(Int64(history.oldestSeq)),
            "last_seq": .int(Int64(history.lastSeq)),
        ]
        // A subscriber asking about an earlier run of the broker can only get this run's events.
        let asked = params["source"]?.stringValue
        let from = asked == source ? UInt64(after) : 0
        body["events"] = .array(history.since(from, limit: limit).compactMap { entry in
            (try? JSONParser.parse(entry.payload)).map { ["topic": .string(entry.topic), "event": $0] }
        })
        return request.reply(.object(body), source: source)
    }
}
