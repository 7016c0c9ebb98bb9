import BusMessages
import Foundation
import MCP

/// Every MCP tool mcp-front offers, read from `catalogue.json`: the file
/// `Addon/tools/write_catalogue.py` generates from the addon's op registry, the one place a
/// tool's name, description, parameters, result and hints are declared. A generated file
/// rather than a list fetched from the addon when a bridge registers: `tools/list` must answer
/// before any Blender is up, every replica must list the same tools, and a change to a tool
/// shows in review. The addon suite fails when the file is older than the registry.
///
/// Misuse: the file is a build input. A missing or malformed catalogue is a packaging error,
/// so `bundled` stops the process with the reason rather than serve no tools.
struct ToolCatalogue: Sendable {
    /// One named group of tools a connection can list (`core` always).
    struct Toolset: Sendable {
        let name: String
        let description: String
        let tools: [String]
    }

    static let core = "core"

    let tools: [CatalogueTool]
    let toolsets: [Toolset]
    let byName: [String: CatalogueTool]

    init(json: JSONValue) throws(CatalogueError) {
        guard json["version"]?.intValue == 1, let entries = json["tools"]?.arrayValue, let sets = json["toolsets"]?.arrayValue else {
            throw CatalogueError(description: "the catalogue needs version 1, 'tools' and 'toolsets'")
        }
        tools = try entries.map { entry throws(CatalogueError) in try CatalogueTool(entry) }
        var byName: [String: CatalogueTool] = [:]
        for tool in tools {
            guard byName.updateValue(tool, forKey: tool.name) == nil else {
                throw CatalogueError(description: "tool '\(tool.name)' is in the catalogue twice")
            }
        }
        self.byName = byName
        let tools = tools
        toolsets = sets.compactMap { set in
            guard let name = set["name"]?.stringValue else { return nil }
            return Toolset(name: name, description: set["description"]?.stringValue ?? "",
                           tools: tools.filter { $0.toolset == name }.map(\.name))
        }
        if let stray = tools.first(where: { tool in !toolsets.contains { $0.name == tool.toolset } }) {
            throw CatalogueError(description: "tool '\(stray.name)' names an unknown toolset '\(stray.toolset)'")
        }
    }

    /// The catalogue built into mcp-front.
    static let bundled: ToolCatalogue = {
        guard let url = Bundle.module.url(forResource: "catalogue", withExtension: "json") else {
            fatalError("mcp-front was built without its tool catalogue (Services/mcp-front/Core/Tools/catalogue.json)")
        }
        do {
            return try ToolCatalogue(json: JSONParser.parse(Data(contentsOf: url)))
        } catch {
            fatalError("the tool catalogue \(url.path) cannot be read: \(error)")
        }
    }()

    /// The tools a connection lists: core, then each enabled toolset in catalogue order.
    func listed(enabled: Set<String>) -> [Tool] {
        tools.filter { $0.toolset == Self.core || enabled.contains($0.toolset) }.map(\.definition)
    }

    /// The toolsets besides core, for error messages.
    var optionalToolsets: [String] { toolsets.map(\.name).filter { $0 != Self.core } }
}

/// Why the catalogue could not be read.
struct CatalogueError: Error, CustomStringConvertible {
    let description: String
}
