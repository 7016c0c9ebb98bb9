import BusMessages
import MCP

/// Real-scale building tools (metres and degrees), run by the addon's `arch.*` ops, which
/// check every value against real limits (a stair with 0.4 m risers is refused with the
/// allowed range) before building anything.
enum ArchitectureTools {
    private static func number(_ name: String, _ about: String, required: Bool = false) -> ToolParameter {
        ToolParameter(name: name, kind: .number, required: required, description: about)
    }

    private static func point(_ name: String, _ about: String, required: Bool = false) -> ToolParameter {
        ToolParameter(name: name, kind: .array, required: required, description: about)
    }

    private static let name = ToolParameter(name: "name", kind: .string, required: false, description: "Object name (default: a sensible one)")

    /// Storeys stack by a floor height: storey N's level is (N − 1) × floor_height.
    private static let storey: [ToolParameter] = [
        ToolParameter(name: "storey", kind: .integer, required: false, description: "Storey number, 1 = ground floor (recorded for design.md)"),
        number("floor_height", "Floor-to-floor height, 2–10 m: with storey, puts the level at (storey − 1) × floor_height (then leave base_z / z out)"),
    ]

    private static func tool(_ tool: String, _ op: String, _ about: String, _ parameters: [ToolParameter]) -> BlenderTool {
        .passThrough(tool, op: op, about, parameters)
    }

    static let all: [BlenderTool] = [
        tool("create_wall", "arch.wall", "A straight wall from start to end (metres), origin at its start.", [
            point("start", "[x, y] of the wall's centre line start", required: true),
            point("end", "[x, y] of the wall's centre line end", required: true),
            number("height", "Height, 0.1–20 m (default 2.4)"), number("thickness", "Thickness, 0.05–1 m (default 0.15)"),
            number("base_z", "Height of its base (default 0)")] + storey + [name]),
        tool("create_slab", "arch.slab", "A floor or roof slab from an outline, or a width × depth rectangle.", [
            point("outline", "[[x, y], …] at least 3 points (or give width and depth)"),
            number("width", "Rectangle width in metres"), number("depth", "Rectangle depth in metres"),
            point("origin", "[x, y] of the rectangle's corner (default [0, 0])"),
            number("thickness", "0.05–1 m (default 0.2)"), number("z", "Height of the slab's top (default 0)")] + storey + [name]),
        tool("create_column_grid", "arch.column_grid", "A grid of square or round columns.", [
            point("origin", "[x, y] of the first column"),
            ToolParameter(name: "nx", kind: .integer, required: false, description: "Columns along x (default 2)"),
            ToolParameter(name: "ny", kind: .integer, required: false, description: "Columns along y (default 2)"),
            number("spacing_x", "Centre spacing along x, m (default 6)"), number("spacing_y", "Centre spacing along y, m (default 6)"),
            number("width", "Column width, 0.1–2 m (default 0.3)"), number("height", "Column height, m (default 3)"),
            ToolParameter(name: "shape", kind: .string, required: false, description: "square or round"),
            number("base_z", "Height of the column bases (default 0)"), name]),
        tool("create_roof", "arch.roof", "A roof over a width × depth footprint: flat, shed, gable, hip or irimoya (入母屋).", [
            ToolParameter(name: "type", kind: .string, required: true, description: "flat, shed, gable, hip or irimoya"),
            number("width", "Footprint width, m", required: true), number("depth", "Footprint depth, m", required: true),
            point("origin", "[x, y] of the footprint's corner (default [0, 0])"),
            number("base_z", "Eaves height, m"), number("pitch_deg", "Pitch, 0–60° (default 30)"),
            number("overhang", "Eaves overhang, 0–2 m (default 0.45)"), number("thickness", "Roof thickness, m (default 0.2)"),
            ToolParameter(name: "ridge_axis", kind: .string, required: false, description: "auto, x or y"),
            number("gable_fraction", "Irimoya only: share of the rise that is gable (default 0.5)"), name]),
        tool("create_opening", "arch.opening", "Cut a door or window into a wall (and optionally frame it).", [
            ToolParameter(name: "wall", kind: .string, required: true, description: "The wall object's name"),
            ToolParameter(name: "kind", kind: .string, required: true, description: "door or window"),
            number("offset", "Distance along the wall from its start to the opening's centre, m", required: true),
            number("width", "Opening width (door default 0.9 m, window 1.2 m)"), number("height", "Opening height (door 2.1 m, window 1.1 m)"),
            number("sill", "Sill height (window default 0.9 m, door 0)"),
            ToolParameter(name: "frame", kind: .boolean, required: false, description: "Add a frame object"),
            number("frame_width", "Frame width, m (default 0.05)")]),
        tool("create_stairs", "arch.stairs", "A straight flight of stairs; risers are computed from the total rise and refused outside 0.10–0.23 m.", [
            point("start", "[x, y, z] of the first step's front edge centre"),
            number("direction_deg", "Direction of climb, degrees from +x (default 0)"),
            number("total_rise", "Floor-to-floor rise, 0.2–10 m", required: true),
            number("width", "Stair width, 0.6–5 m (default 0.9)"), number("riser_max", "Largest allowed riser, m (default 0.20)"),
            number("tread", "Tread depth, 0.21–0.35 m (default 0.26)"), number("waist", "Slab thickness under the steps, m (default 0.15)"), name]),
        tool("create_floor_plan", "arch.floor_plan", "Lay walls around rectangular rooms (shared walls once) and cut their doors.", [
            ToolParameter(name: "rooms", kind: .array, required: true, description: "[{name, x, y, width, depth}, …] on wall centre lines"),
            number("wall_height", "Wall height, m (default 2.4)"), number("wall_thickness", "Wall thickness, m (default 0.15)"),
            number("base_z", "Height of the floor (default 0)")] + storey + [
            ToolParameter(name: "doors", kind: .array, required: false, description: "[{room, side: north|south|east|west, offset?, width?, height?}, …]"),
            name]),
        tool("create_gable_walls", "arch.gable_walls", "Close both gable ends of a gable roof with wall, from the eaves height up to the roof's underside.", [
            ToolParameter(name: "roof", kind: .string, required: true, description: "The gable roof's name (made by create_roof)"),
            number("thickness", "Wall thickness, 0.05–1 m (default 0.15)"),
            number("bottom_z", "Where the gable walls start (default: the roof's eaves height base_z)")]),
        tool("create_slab_opening", "arch.slab_opening", "Cut a rectangular opening through a slab: a stairwell, shaft or void.", [
            ToolParameter(name: "slab", kind: .string, required: true, description: "The slab's name (made by create_slab)"),
            number("x", "x of the opening's south-west corner, m", required: true), number("y", "y of that corner, m", required: true),
            number("width", "Size along x, 0.3–100 m", required: true), number("depth", "Size along y, 0.3–100 m", required: true),
            ToolParameter(name: "kind", kind: .string, required: false, description: "stairwell (default), shaft or void")]),
    ]
}
