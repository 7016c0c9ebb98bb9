"""The named toolsets a connection can switch on (list_toolsets / enable_toolset).

`core` is what tools/list shows before anything is enabled: small enough for a model's
context (at most 40 tools), enough to model a scene and reach the rest. Every other tool
belongs to exactly one toolset below. Pure data, no bpy.
"""

CORE = "core"

# name -> what it holds (shown by list_toolsets); the order is the order listed.
TOOLSETS = {
    CORE: "Sessions, scene and object basics, materials, modifiers, files, renders and Python: always on.",
    "modeling": "Mesh editing as one call each: booleans, bevels, extrusions, UV unwrap, text and curve objects, joins and origins.",
    "nodes": "Geometry nodes and shader nodes: create node groups, add and connect nodes, set their inputs.",
    "animation": "Keyframes and their interpolation, frame range, constraints and follow-path animation.",
    "camera_light": "Cameras (aim, lens, depth of field), lights, three-point lighting, the world and HDRI backgrounds, render settings.",
    "import_export": "Import glTF/GLB, FBX, OBJ, STL, PLY and USD files and export the scene per format.",
    "physics": "Rigid bodies, colliders and cloth, with a bake of the simulation.",
    "analysis": "Selection and hierarchy queries, measurements, mesh quality and 3D-print checks, and bpy operator and property lookup.",
    "architecture": "Real-scale building elements: walls, slabs, roofs, openings, stairs, column grids and floor plans.",
}

# The most tools the core toolset may hold (tests keep it so).
CORE_LIMIT = 40
