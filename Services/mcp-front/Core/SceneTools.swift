import BusMessages
import MCP

/// The addon's scene commands as MCP tools: objects, materials, collections, modifiers,
/// renders, files and history. Arguments pass through under the op's own names; the addon
/// checks each one and answers with what changed.
enum SceneTools {
    private static func p(_ name: String, _ kind: ToolParameter.Kind, _ about: String, required: Bool = false) -> ToolParameter {
        ToolParameter(name: name, kind: kind, required: required, description: about)
    }

    private static func tool(_ tool: String, _ op: String, _ about: String, _ parameters: [ToolParameter]) -> BlenderTool {
        .passThrough(tool, op: op, about, parameters)
    }

    private static let object = p("name", .string, "The object's name", required: true)
    private static let names = p("names", .array, "Object names", required: true)
    private static func vector(_ name: String, _ about: String) -> ToolParameter { p(name, .array, "\(about) as [x, y, z]") }
    private static let surface = [
        p("base_color", .array, "[r, g, b, a], each 0–1"), p("metallic", .number, "0–1"), p("roughness", .number, "0–1"),
        p("emission_color", .array, "[r, g, b, a], each 0–1"), p("emission_strength", .number, "≥ 0"),
    ]

    static let all: [BlenderTool] = [
        tool("get_viewport_screenshot", "render.viewport",
             "A screenshot of Blender's 3D viewport (GUI Blender only; headless Blender answers with how to use render_image instead).",
             [p("max_size", .integer, "Longest side in pixels (default 800)")]),
        tool("render_image", "render.image",
             "Render the scene to a PNG (Workbench or Eevee; works headless) from the scene camera, a named camera, or a view that frames every object.",
             [p("width", .integer, "Pixels, 1–4096 (default 800)"), p("height", .integer, "Pixels, 1–4096 (default 600)"),
              p("engine", .string, "workbench (default) or eevee"), p("camera", .string, "A camera object to render from"),
              p("view", .string, "front, back, left, right, top or iso: frame all objects from that side")]),
        tool("create_object", "object.create", "Add a mesh primitive, empty, light or camera (metres).",
             [p("type", .string, "cube, plane, uv_sphere, ico_sphere, cylinder, cone, torus, monkey, empty, light or camera", required: true),
              p("name", .string, "Object name"), vector("location", "Location"), vector("rotation", "Rotation in degrees"),
              vector("scale", "Scale"), p("size", .number, "Size for cube/plane/monkey"), p("radius", .number, "Radius"),
              p("depth", .number, "Depth of cylinder/cone"), p("minor_radius", .number, "Torus tube radius"),
              p("light_type", .string, "POINT, SUN, SPOT or AREA"), p("energy", .number, "Light power (W)"),
              p("collection", .string, "Collection to put it in")]),
        tool("transform_object", "object.transform", "Set (or with delta, add to) an object's location, rotation (degrees) and scale.",
             [object, vector("location", "Location"), vector("rotation", "Rotation in degrees"), vector("scale", "Scale"),
              p("delta", .boolean, "Add to the current values instead of replacing them")]),
        tool("rename_object", "object.rename", "Rename an object.", [object, p("new_name", .string, "The new name", required: true)]),
        tool("parent_object", "object.parent", "Parent an object to another (or clear its parent).",
             [object, p("parent", .string, "The parent (omit to clear)"), p("keep_transform", .boolean, "Keep the world transform (default true)")]),
        tool("duplicate_object", "object.duplicate", "Duplicate an object, optionally linked and offset.",
             [object, p("new_name", .string, "Name of the copy"), p("linked", .boolean, "Share the mesh data"), vector("offset", "Offset")]),
        tool("delete_objects", "object.delete", "Delete objects by name.", [names]),
        tool("select_objects", "object.select", "Select objects (and make one active).",
             [names, p("active", .string, "The object to make active"), p("deselect_others", .boolean, "Deselect everything else (default true)")]),
        tool("create_material", "material.create", "Create a Principled BSDF material.", [p("name", .string, "Material name", required: true)] + surface),
        tool("set_material", "material.set", "Change a material's surface.", [p("name", .string, "Material name", required: true)] + surface),
        tool("assign_material", "material.assign", "Assign a material to an object's slot.",
             [p("object", .string, "Object name", required: true), p("material", .string, "Material name", required: true),
              p("slot", .integer, "Material slot (default 0)")]),
        tool("create_collection", "collection.create", "Create a collection.",
             [p("name", .string, "Collection name", required: true), p("parent", .string, "Parent collection")]),
        tool("move_to_collection", "collection.link", "Link an object into a collection.",
             [p("object", .string, "Object name", required: true), p("collection", .string, "Collection name", required: true),
              p("unlink_others", .boolean, "Remove it from its other collections")]),
        tool("add_modifier", "modifier.add", "Add a modifier (e.g. SUBSURF, BEVEL, ARRAY, SOLIDIFY, BOOLEAN) with settings.",
             [p("object", .string, "Object name", required: true), p("type", .string, "Modifier type", required: true),
              p("name", .string, "Modifier name"), p("settings", .object, "Modifier properties, e.g. {\"levels\": 2}")]),
        tool("set_modifier", "modifier.set", "Change a modifier's settings.",
             [p("object", .string, "Object name", required: true), p("name", .string, "Modifier name", required: true),
              p("settings", .object, "Modifier properties", required: true)]),
        tool("apply_modifier", "modifier.apply", "Apply a modifier to the mesh.",
             [p("object", .string, "Object name", required: true), p("name", .string, "Modifier name", required: true)]),
        tool("save_blend", "file.save", "Save the scene as a .blend file under the addon's files root.",
             [p("path", .string, "Path under the files root", required: true)]),
        tool("open_blend", "file.open", "Open a .blend file from under the addon's files root.",
             [p("path", .string, "Path under the files root", required: true)]),
        tool("export_scene", "file.export", "Export the scene as glTF/GLB, FBX, OBJ or STL under the addon's files root.",
             [p("path", .string, "Path under the files root", required: true), p("format", .string, "gltf, glb, fbx, obj or stl", required: true),
              p("selected_only", .boolean, "Only the selected objects")]),
        tool("undo", "history.undo", "Undo the last step (where this Blender supports undo).", []),
        tool("redo", "history.redo", "Redo the last undone step.", []),
    ]
}
