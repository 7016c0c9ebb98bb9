import BusMessages
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/events`: the bus's events as Server-Sent Events, optionally for one session. Each
/// event's SSE id is `<source>/<seq>`, its SSE event name the bus op. Render images are left
/// out of the stream (the render route serves them); their size is said instead.
struct EventStream: Sendable {
    let bus: BusWatcher
    let streams: SSEStreams
    let session: String?

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache, no-transform"
        let events = bus.events(session: session, buffer: 500)
        let chunks = AsyncThrowingStream<Data, Error> { continuation in
            let forward = Task {
                let codec = EnvelopeCodec()
                for await event in events {
                    if let frame = Self.frame(event, codec: codec) { continuation.yield(frame) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in forward.cancel() }
        }
        return Response(status: .ok, headers: headers, body: streams.body(first: Data("retry: 2000\n: connected\n\n".utf8), chunks))
    }

    static func frame(_ event: Envelope, codec: EnvelopeCodec) -> Data? {
        var event = event
        if case .object(var params) = event.params, let image = params.removeValue(forKey: "image_base64") {
            params["image_base64_bytes"] = .int(Int64(image.stringValue?.utf8.count ?? 0))
            event.params = .object(params)
        }
        guard let data = try? codec.encode(event) else { return nil }
        let id = event.source.flatMap { source in event.seq.map { "\(source)/\($0)" } }
        return SSEStreams.event(event.op ?? "event", id: id, data: data)
    }
}
