import BusMessages
import Foundation
import MCP

/// A tool mcp-front offers: its MCP face (name, description, parameters) and the bus op that
/// runs it, with how to phrase the op's result for the client.
struct BlenderTool: Sendable {
    let name: String
    let description: String
    let parameters: [ToolParameter]
    let op: String
    /// Tool arguments → op params, when the names differ.
    let params: @Sendable ([String: JSONValue]) -> JSONValue
    /// Op result → the text the client reads.
    let format: @Sendable (JSONValue) -> String

    /// A tool whose arguments pass through unchanged (it names its parameters as the op
    /// does), answered with the op's result as JSON.
    static func passThrough(_ name: String, op: String, _ description: String, _ parameters: [ToolParameter]) -> BlenderTool {
        BlenderTool(name: name, description: description, parameters: parameters, op: op,
                    params: { .object($0) }, format: BlenderTools.prettyJSON)
    }

    /// Every scene tool also takes an optional `session_id`.
    var definition: Tool {
        Tool(name: name, description: description, inputSchema: (parameters + [ToolCalls.sessionArgument]).inputSchema)
    }
}

/// The V1 tool set, under V1's names and parameters so prompts written for the most used
/// Blender MCP server keep working.
enum BlenderTools {
    static let all: [BlenderTool] = [
        BlenderTool(
            name: "get_scene_info",
            description: "Get detailed information about the current Blender scene: every object with its type and location, and the material count.",
            parameters: [], op: Op.sceneInfo,
            params: { _ in [:] }, format: prettyJSON),
        BlenderTool(
            name: "get_object_info",
            description: "Get detailed information about one object in the Blender scene: transform, dimensions, materials, modifiers and mesh statistics.",
            parameters: [ToolParameter(name: "object_name", kind: .string, required: true, description: "The name of the object")],
            op: Op.objectInfo,
            params: { arguments in ["name": arguments["object_name"] ?? .null] }, format: prettyJSON),
        BlenderTool(
            name: "execute_blender_code",
            description: "Execute Python code in Blender (bpy is imported). Whatever the code prints is returned. Work in small steps.",
            parameters: [ToolParameter(name: "code", kind: .string, required: true, description: "The Python code to execute")],
            op: Op.codeExecute,
            params: { arguments in ["code": arguments["code"] ?? .null] },
            format: { result in "Code executed successfully: \(result["result"]?.stringValue ?? "")" }),
    ]

    /// Every scene tool: the V1 set, the scene editing tools and the real-scale building tools.
    static let scene: [BlenderTool] = all + SceneTools.all + ArchitectureTools.all

    static let byName: [String: BlenderTool] = Dictionary(uniqueKeysWithValues: scene.map { ($0.name, $0) })

    /// A tool result as the text the model reads: compact JSON with sorted keys, written by
    /// our own writer (Foundation's encoder was 7 % of mcp-front's CPU per call).
    static func prettyJSON(_ value: JSONValue) -> String {
        JSONWriter(sortedKeys: true).string(value)
    }
}
