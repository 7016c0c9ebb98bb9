import BusMessages
import Foundation
import MCP

/// The MCP methods one connection answers: tools, resources, prompts and completion.
struct MCPHandlers: Sendable {
    let calls: ToolCalls
    let resources: SessionResources

    static let tools: [Tool] = BlenderTools.scene.map(\.definition) + SessionTools.all.map(\.tool) + ToolCalls.extraTools

    func register(on server: Server) async {
        let tools = Self.tools
        let calls = calls
        let resources = resources
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
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
/// in `_meta`): one when the command is sent to Blender, one when its answer is back.
struct ToolProgress: Sendable {
    let server: Server?
    let token: ProgressToken?

    static let none = ToolProgress(server: nil, token: nil)

    func report(_ step: Double, of total: Double, _ message: String) async {
        guard let server, let token else { return }
        try? await server.notify(ProgressNotification.message(
            .init(progressToken: token, progress: step, total: total, message: message)))
    }
}
