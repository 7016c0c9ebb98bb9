import BusMessages
import Foundation
import MCP

/// Where bus events become MCP notifications: each handshake-era connection's SDK server, and
/// each open 2026-07-28 `subscriptions/listen` stream.
protocol MCPEventListener: Sendable {
    /// The key `LiveListeners.remove` takes.
    var key: ObjectIdentifier { get }
    /// Sends what `event` means to this listener, if it asked for it.
    func deliver(_ event: Envelope) async
    /// The listener is gone: its resource subscriptions and the topics they watched go too.
    func stop() async
}

/// The live listeners, so bus events reach every one.
actor LiveListeners {
    private var entries: [ObjectIdentifier: any MCPEventListener] = [:]

    var count: Int { entries.count }

    func add(_ listener: any MCPEventListener) {
        entries[listener.key] = listener
    }

    func remove(_ key: ObjectIdentifier) async {
        await entries.removeValue(forKey: key)?.stop()
    }

    func relay(_ events: AsyncStream<Envelope>) async {
        for await event in events {
            for listener in entries.values { await listener.deliver(event) }
        }
    }
}

/// A handshake-era connection: a subscribed session file changed → `resources/updated` to it;
/// the prompt dictionary was reloaded → `prompts/list_changed`.
struct HandshakeListener: MCPEventListener {
    let server: Server
    let resources: SessionResources

    var key: ObjectIdentifier { ObjectIdentifier(server) }

    func deliver(_ event: Envelope) async {
        switch event.op {
        case EventName.logUpdated:
            guard let uri = await resources.updated(event) else { return }
            try? await server.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
        case EventName.promptsChanged:
            try? await server.notify(PromptListChangedNotification.message())
        default:
            break
        }
    }

    func stop() async { await resources.unsubscribeAll() }
}

/// One 2026-07-28 `subscriptions/listen` stream: the request's own response stream carries
/// the notifications it asked for and was acknowledged, each tagged with its subscription id
/// (the listen request's JSON-RPC id). Nothing is replayed: a client that listens again
/// refetches what it depends on.
final class ListenStream: MCPEventListener {
    let subscription: JSONValue
    let prompts: Bool
    let resources: SessionResources
    let emit: @Sendable (JSONValue) async -> Void

    init(subscription: JSONValue, prompts: Bool, resources: SessionResources, emit: @escaping @Sendable (JSONValue) async -> Void) {
        self.subscription = subscription
        self.prompts = prompts
        self.resources = resources
        self.emit = emit
    }

    var key: ObjectIdentifier { ObjectIdentifier(self) }

    func deliver(_ event: Envelope) async {
        switch event.op {
        case EventName.logUpdated:
            guard let uri = await resources.updated(event) else { return }
            await emit(notification("notifications/resources/updated", ["uri": .string(uri)]))
        case EventName.promptsChanged where prompts:
            await emit(notification("notifications/prompts/list_changed", [:]))
        default:
            break
        }
    }

    func notification(_ method: String, _ params: [String: JSONValue]) -> JSONValue {
        var params = params
        params["_meta"] = [ModernProtocol.subscriptionIDKey: subscription]
        return ["jsonrpc": "2.0", "method": .string(method), "params": .object(params)]
    }

    func stop() async { await resources.unsubscribeAll() }
}

extension SessionResources {
    /// The subscribed URI a `log.updated` event is about, if any.
    func updated(_ event: Envelope) -> String? {
        guard let session = event.session, let file = event.params?["file"]?.stringValue else { return nil }
        return updated(session: session, file: file)
    }
}
