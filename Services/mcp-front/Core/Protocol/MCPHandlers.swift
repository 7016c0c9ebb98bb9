import BusMessages
import Foundation
import MCP

/// The MCP methods one connection answers: tools, resources, prompts and completion.
struct MCPHandlers: Sendable {
    let calls: ToolCalls
    let resources: SessionResources

    /// What tools/list shows before a toolset is enabled (and always at 2026-07-28).
    static let coreTools: [Tool] = ToolCatalogue.bundled.listed(enabled: [])

    func register(on server: Server) async {
        let calls = calls
        let resources = resources
        let connection = calls.connection
        await connection.onToolsChanged { [weak server] in
            try? await server?.notify(ToolListChangedNotification.message())
        }
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: ToolCatalogue.bundled.listed(enabled: await connection.toolsets))
        }
        // Weak: the server keeps its handlers after stop(), so a strong capture would keep every
        // ended HTTP session's server (and its connection state) alive.
        await server.withMethodHandler(CallTool.self) { [weak server] call in
            let progress = ToolProgress(server: server, token: call._meta?.progressToken)
            return try await calls.call(call.name, arguments: call.arguments, progress: progress)
        }
        await server.withMethodHandler(ListResources.self) { params in try await resources.list(cursor: params.cursor) }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in
            ListResourceTemplates.Result(templates: SessionResources.templates)
        }
        await server.withMethodHandler(ReadResource.self) { params in try await resources.read(params.uri) }
        await server.withMethodHandler(ResourceSubscribe.self) { params in
            try await resources.subscribe(params.uri)
            return Empty()
        }
        await server.withMethodHandler(ResourceUnsubscribe.self) { params in
            await resources.unsubscribe(params.uri)
            return Empty()
        }
        await server.withMethodHandler(ListPrompts.self) { _ in try await calls.prompts.list() }
        await server.withMethodHandler(GetPrompt.self) { params in try await calls.prompts.get(params.name, arguments: params.arguments) }
        await server.withMethodHandler(Complete.self) { params in try await calls.prompts.complete(params) }
    }
}

/// `notifications/progress` for a tool call whose client asked for them (a `progressToken`
/// in `_meta`): one when the command is sent to Blender, one when its answer is back. Both eras
/// report through it: the SDK's server at the handshake era, the request's own stream at
/// 2026-07-28.
struct ToolProgress: Sendable {
    let send: (@Sendable (_ step: Double, _ total: Double, _ message: String) async -> Void)?

    static let none = ToolProgress(send: nil)

    init(send: (@Sendable (_ step: Double, _ total: Double, _ message: String) async -> Void)?) {
        self.send = send
    }

    /// Through a handshake-era SDK server (nil when the client gave no token).
    init(server: Server?, token: ProgressToken?) {
        guard let token else {
            send = nil
            return
        }
        send = { [weak server] step, total, message in
            try? await server?.notify(ProgressNotification.message(
                .init(progressToken: token, progress: step, total: total, message: message)))
        }
    }

    func report(_ step: Double, of total: Double, _ message: String) async {
        await send?(step, total, message)
    }
}
