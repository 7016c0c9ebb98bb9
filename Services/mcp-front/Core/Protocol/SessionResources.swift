import BusMessages
import Foundation
import MCP
import ServiceKit

/// A session's files as MCP resources, `session://<id>/<file>`, read through log-writer's
/// query socket. Clients that subscribe get `notifications/resources/updated` when log-writer
/// says a file changed.
actor SessionResources {
    static let files: [(name: String, mimeType: String, about: String)] = [
        ("command.log", "application/x-ndjson", "every command of the session: one JSON object per line"),
        ("blender.log", "text/plain", "what Blender printed while running the session's commands"),
        ("state.json", "application/json", "the latest snapshot of the scene"),
        ("design.md", "text/markdown", "a design document of what the session built"),
        // design.md links its drawings by these names, so a client that reads it can follow them.
        ("plan.svg", "image/svg+xml", "the plan of every storey, drawn from the same facts as design.md"),
        ("elevation.svg", "image/svg+xml", "the south elevation, drawn from the same facts as design.md"),
    ]
    /// Resources per page of resources/list: BMCP_LIST_PAGE (checked at start by mcp-front).
    static let pageSize = (try? Settings.listPage.count(nil, in: 1...10_000)) ?? Settings.listPage.defaultCount

    private let logs: RequestClient
    private let timeout: Duration
    /// Where `log.updated` comes from; a session's topic is watched while any of its files is
    /// subscribed (nil in tests without a bus).
    private let bus: BusWatcher?
    /// Subscribed file names by session.
    private var subscribed: [String: Set<String>] = [:]

    init(logs: RequestClient, timeout: Duration, bus: BusWatcher? = nil) {
        self.logs = logs
        self.timeout = timeout
        self.bus = bus
    }

    static var templates: [Resource.Template] {
        files.map { file in
            Resource.Template(uriTemplate: "session://{session_id}/\(file.name)", name: file.name,
                              description: "The session's \(file.name): \(file.about)", mimeType: file.mimeType)
        }
    }

    func list(cursor: String?) async throws -> ListResources.Result {
        let answer = try await logs.send(.request(op: Op.logsSessions, source: "mcp-front"), timeout: timeout)
        guard answer.kind == .reply else { throw MCPError.internalError(answer.error?.message ?? "log-writer failed") }
        let sessions = answer.result?["sessions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var start = 0
        if let cursor {
            guard let offset = Int(cursor), offset >= 0 else {
                throw MCPError.invalidParams("resources/list: cursor '\(cursor.prefix(40))' is not one this server gave; start again without one")
            }
            start = offset
        }
        // Whole sessions per page (all of a session's files together), at least one.
        let page = sessions.dropFirst(start).prefix(max(1, Self.pageSize / Self.files.count))
        let resources = page.flatMap { session in
            Self.files.map { file in
                Resource(name: "\(session)/\(file.name)", uri: "session://\(session)/\(file.name)",
                         description: "Session \(session): \(file.about)", mimeType: file.mimeType)
            }
        }
        let next = start + page.count
        return ListResources.Result(resources: resources, nextCursor: next < sessions.count ? String(next) : nil)
    }

    func read(_ uri: String) async throws -> ReadResource.Result {
        let (session, file) = try Self.parse(uri)
        let answer = try await logs.send(
            .request(op: Op.logsRead, params: ["session_id": .string(session), "file": .string(file)], source: "mcp-front"),
            timeout: timeout)
        guard answer.kind == .reply, let content = answer.result?["content"]?.stringValue else {
            throw MCPError.invalidParams("\(uri): \(answer.error?.message ?? "not readable")")
        }
        let mimeType = Self.files.first { $0.name == file }?.mimeType
        return ReadResource.Result(contents: [.text(content, uri: uri, mimeType: mimeType)])
    }

    func subscribe(_ uri: String) throws {
        let (session, file) = try Self.parse(uri)
        if subscribed[session] == nil { bus?.watch(topic: EventPublisher.topic(session: session, source: "")) }
        subscribed[session, default: []].insert(file)
    }

    func unsubscribe(_ uri: String) {
        guard let (session, file) = try? Self.parse(uri) as (String, String),
              subscribed[session]?.remove(file) != nil else { return }
        if subscribed[session]?.isEmpty == true {
            subscribed[session] = nil
            bus?.unwatch(topic: EventPublisher.topic(session: session, source: ""))
        }
    }

    /// The connection ended: its subscriptions and the topics they watched go with it.
    func unsubscribeAll() {
        for session in subscribed.keys { bus?.unwatch(topic: EventPublisher.topic(session: session, source: "")) }
        subscribed.removeAll()
    }

    /// The URI to notify for a `log.updated` event, if the client subscribed to it.
    func updated(session: String, file: String) -> String? {
        subscribed[session]?.contains(file) == true ? "session://\(session)/\(file)" : nil
    }

    static func parse(_ uri: String) throws -> (session: String, file: String) {
        let prefix = "session://"
        let parts = uri.hasPrefix(prefix) ? uri.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false) : []
        guard parts.count == 2, !parts[0].isEmpty, files.contains(where: { $0.name == parts[1] }) else {
            throw MCPError.invalidParams(
                "resource URI '\(uri)' is not session://<session_id>/<file> with file one of \(files.map(\.name).joined(separator: ", "))")
        }
        return (String(parts[0]), String(parts[1]))
    }
}
