"""Analysis toolset, scene queries: selection, hierarchy, object search, bounding boxes,
distances, data-block listing and scene statistics. All read-only."""

from fnmatch import fnmatchcase

import bpy
from mathutils import Vector
from mathutils.bvhtree import BVHTree

from . import analysis_compat
from .analysis_mesh import using, world_bmesh
from .object_facts import world_corners
from .ops_common import current_scene, find_collection, find_material, find_object, find_objects, registry, update_view_layer, vector
from .registry import BOOLEAN, INTEGER, NAME, Param, array_of, bad_params, one_of

TOOLSET = "analysis"
NAMES = {"type": "array", "items": {"type": "string"}}


@registry.tool(
    "get_selection",
    "List the selected objects and the active object of the current view layer.",
    toolset=TOOLSET,
    output={"selected": NAMES, "active": {"type": ["string", "null"]}, "count": {"type": "integer"},
            "mode": {"type": "string", "description": "OBJECT, EDIT_MESH, …"}},
)
@registry.op("analysis.selection")
def analysis_selection(ctx):
    layer = bpy.context.view_layer
    selected = sorted(obj.name for obj in layer.objects if obj.select_get(view_layer=layer))
    active = layer.objects.active
    return {"selected": selected, "active": active.name if active else None, "count": len(selected),
            "mode": bpy.context.mode}


def _node(obj, depth, max_depth):
    node = {"name": obj.name, "type": obj.type}
    children = sorted(obj.children, key=lambda child: child.name)
    if depth < max_depth:
        node["children"] = [_node(child, depth + 1, max_depth) for child in children]
    else:
        node["children_not_shown"] = len(children)
    return node


@registry.tool(
    "get_hierarchy",
    "Show the parent/child tree below one object, or of the whole scene with root '*'.",
    toolset=TOOLSET,
    output={"roots": {"type": "array", "items": {"type": "object"}, "description": "Trees of {name, type, children}"},
            "objects": {"type": "integer", "description": "Objects shown"},
            "parent": {"type": ["string", "null"], "description": "The root object's own parent"}},
)
@registry.op(
    "analysis.hierarchy",
    root=Param(NAME, about="The object to start from, or '*' for every top-level object of the scene"),
    max_depth=Param(INTEGER, 32, minimum=1, maximum=256, about="Levels of children to show"),
)
def analysis_hierarchy(ctx, root, max_depth):
    if root == "*":
        tops = sorted((obj for obj in current_scene().objects if obj.parent is None), key=lambda obj: obj.name)
        parent = None
    else:
        obj = find_object(root)
        tops, parent = [obj], (obj.parent.name if obj.parent else None)
    roots = [_node(obj, 0, max_depth) for obj in tops]

    def count(node):
        return 1 + sum(count(child) for child in node.get("children", ()))

    return {"roots": roots, "objects": sum(count(node) for node in roots), "parent": parent}


@registry.tool(
    "find_objects",
    "Find objects by name pattern (glob: * ? [..], case-insensitive), and optionally by type, collection (including child collections) and material.",
    toolset=TOOLSET,
    output={"objects": {"type": "array", "items": {"type": "object"}, "description": "{name, type} of each match"},
            "count": {"type": "integer"}},
)
@registry.op(
    "analysis.find_objects",
    pattern=Param(NAME, about="Name glob, e.g. 'Wall*' or '*' for all"),
    type=Param(one_of(*analysis_compat.OBJECT_TYPE_NAMES), None, about="Object type (GPENCIL and GREASEPENCIL both mean Grease Pencil)"),
    collection=Param(NAME, None, about="Only objects in this collection or its children"),
    material=Param(NAME, None, about="Only objects with this material in a slot"),
)
def analysis_find_objects(ctx, pattern, type, collection, material):
    candidates = find_collection(collection).all_objects if collection else current_scene().objects
    wanted_type = analysis_compat.object_type_for(bpy.app.version, type) if type else None
    wanted_material = find_material(material) if material else None
    folded = pattern.casefold()
    found = []
    for obj in candidates:
        if not fnmatchcase(obj.name.casefold(), folded):
            continue
        if wanted_type and obj.type != wanted_type:
            continue
        if wanted_material and all(slot.material != wanted_material for slot in obj.material_slots):
            continue
        found.append({"name": obj.name, "type": obj.type})
    found.sort(key=lambda item: item["name"])
    return {"objects": found, "count": len(found)}


def _world_points(obj, exact):
    """World points bounding the object: its evaluated vertices (exact), else its bound_box corners."""
    if exact and obj.type == "MESH":
        with using(world_bmesh("analysis.bounding_box", obj.name)) as bm:
            points = [vert.co.copy() for vert in bm.verts]
        if points:
            return points
    return world_corners(obj)


def _box(points):
    low = [min(point[axis] for point in points) for axis in range(3)]
    high = [max(point[axis] for point in points) for axis in range(3)]
    return {"min": low, "max": high, "center": [(a + b) / 2 for a, b in zip(low, high)],
            "size": [b - a for a, b in zip(low, high)]}


BOX = {"type": "object", "properties": {key: {"type": "array", "items": {"type": "number"}} for key in ("min", "max", "center", "size")}}


@registry.tool(
    "get_bounding_box",
    "Get the world-space axis-aligned bounding box (min, max, centre, size in m) of one or more objects, each and all together.",
    toolset=TOOLSET,
    output={"combined": BOX, "objects": {"type": "object", "description": "Each object's box, by name"}},
)
@registry.op(
    "analysis.bounding_box",
    objects=Param(array_of(NAME, 1, 500), about="Names of the objects"),
    exact=Param(BOOLEAN, True, about="Meshes: bound the evaluated vertices (tight when rotated); false: the transformed local box"),
)
def analysis_bounding_box(ctx, objects, exact):
    found = find_objects(objects)
    update_view_layer()
    boxes, every_point = {}, []
    for obj in found:
        points = _world_points(obj, exact)
        boxes[obj.name] = _box(points)
        every_point += points
    return {"combined": _box(every_point), "objects": boxes}


def _closest(a, b):
    """Closest points between two meshes: each vertex against the other's surface, and 0 where they overlap."""
    with using(world_bmesh("analysis.distance", a.name)) as bm_a, using(world_bmesh("analysis.distance", b.name)) as bm_b:
        tree_a, tree_b = BVHTree.FromBMesh(bm_a), BVHTree.FromBMesh(bm_b)
        overlap = tree_a.overlap(tree_b)
        if overlap:
            point = bm_a.faces[overlap[0][0]].calc_center_median()
            return 0.0, point, point
        best = None
        for bm, tree, forward in ((bm_a, tree_b, True), (bm_b, tree_a, False)):
            for vert in bm.verts:
                location, _normal, _index, distance = tree.find_nearest(vert.co)
                if location is not None and (best is None or distance < best[0]):
                    best = (distance, vert.co.copy(), location) if forward else (distance, location, vert.co.copy())
        return best


@registry.tool(
    "measure_distance",
    "Measure the distance (m) between two objects: between their origins, or between the closest points of their meshes.",
    toolset=TOOLSET,
    output={"distance": {"type": "number"}, "point_a": {"type": "array", "items": {"type": "number"}},
            "point_b": {"type": "array", "items": {"type": "number"}}, "mode": {"type": "string"},
            "delta": {"type": "array", "items": {"type": "number"}, "description": "point_b - point_a, m"}},
)
@registry.op(
    "analysis.distance",
    first=Param(NAME, about="The first object's name"),
    second=Param(NAME, about="The second object's name"),
    mode=Param(one_of("origins", "closest"), "origins", about="origins: between object origins; closest: nearest surface points (meshes; others use their origin)"),
)
def analysis_distance(ctx, first, second, mode):
    a, b = find_object(first), find_object(second)
    update_view_layer()
    used = mode
    if mode == "closest" and a.type == "MESH" and b.type == "MESH":
        measured = _closest(a, b)
    else:
        measured = None
    if measured is None:
        used = "origins"
        pa, pb = a.matrix_world.translation.copy(), b.matrix_world.translation.copy()
        measured = ((pb - pa).length, pa, pb)
    distance, pa, pb = measured
    return {"distance": distance, "point_a": vector(pa), "point_b": vector(pb), "delta": vector(Vector(pb) - Vector(pa)),
            "mode": used}


def _blocks(collection, limit):
    items = sorted(collection, key=lambda block: block.name)
    listed = [{"name": block.name, "users": block.users, "fake_user": block.use_fake_user,
               "library": block.library.name if getattr(block, "library", None) else None} for block in items[:limit]]
    return {"count": len(items), "orphans": sum(1 for block in items if block.users == 0), "items": listed}


def _available_kinds():
    kinds = {}
    for kind in analysis_compat.DATA_KINDS:
        attribute = analysis_compat.data_attribute(bpy.app.version, kind)
        if attribute and hasattr(bpy.data, attribute):
            kinds[kind] = getattr(bpy.data, attribute)
    return kinds


@registry.tool(
    "list_data_blocks",
    "List data-blocks of one kind (materials, meshes, images, node_groups, actions, …) or of every kind, with user counts and orphans (0 users).",
    toolset=TOOLSET,
    output={"kinds": {"type": "object", "description": "kind -> {count, orphans, items: [{name, users, fake_user, library}]}"}},
)
@registry.op(
    "analysis.data_blocks",
    kind=Param(one_of("all", *analysis_compat.DATA_KINDS), about="Which bpy.data collection, or 'all'"),
    limit=Param(INTEGER, 200, minimum=1, maximum=5000, about="Most items listed per kind (counts are complete)"),
    orphans_only=Param(BOOLEAN, False, about="List only data-blocks with no users"),
)
def analysis_data_blocks(ctx, kind, limit, orphans_only):
    available = _available_kinds()
    if kind != "all" and kind not in available:
        raise bad_params("analysis.data_blocks", f"param 'kind': '{kind}' does not exist in Blender {bpy.app.version_string} (available: {', '.join(available)})")
    chosen = available if kind == "all" else {kind: available[kind]}
    result = {}
    for name, collection in chosen.items():
        blocks = [block for block in collection if block.users == 0] if orphans_only else collection
        if kind == "all" and not len(blocks):
            continue
        result[name] = _blocks(blocks, limit)
    return {"kinds": result}


@registry.tool(
    "get_scene_statistics",
    "Summarise the current scene: objects by type, evaluated vertex/face/triangle totals, data-block counts, frame range, render engine and units.",
    toolset=TOOLSET,
    output={"objects": {"type": "integer"}, "objects_by_type": {"type": "object"},
            "vertices": {"type": "integer"}, "faces": {"type": "integer"}, "triangles": {"type": "integer"},
            "frame_range": {"type": "array", "items": {"type": "integer"}}, "render_engine": {"type": "string"}},
)
@registry.op("analysis.scene_statistics")
def analysis_scene_statistics(ctx):
    scene = current_scene()
    update_view_layer()
    depsgraph = bpy.context.evaluated_depsgraph_get()
    by_type, totals = {}, {"vertices": 0, "edges": 0, "faces": 0, "triangles": 0}
    for obj in scene.objects:
        by_type[obj.type] = by_type.get(obj.type, 0) + 1
        if obj.type != "MESH":
            continue
        evaluated = obj.evaluated_get(depsgraph)
        mesh = evaluated.to_mesh()
        try:
            totals["vertices"] += len(mesh.vertices)
            totals["edges"] += len(mesh.edges)
            totals["faces"] += len(mesh.polygons)
            totals["triangles"] += sum(polygon.loop_total - 2 for polygon in mesh.polygons)
        finally:
            evaluated.to_mesh_clear()
    return {
        "scene": scene.name,
        "objects": len(scene.objects),
        "objects_by_type": dict(sorted(by_type.items())),
        **totals,
        "selected": sum(1 for obj in bpy.context.view_layer.objects if obj.select_get()),
        "collections": len(bpy.data.collections),
        "materials": len(bpy.data.materials),
        "images": len(bpy.data.images),
        "frame_range": [scene.frame_start, scene.frame_end],
        "frame_current": scene.frame_current,
        "fps": scene.render.fps / scene.render.fps_base,
        "render_engine": scene.render.engine,
        "resolution": [scene.render.resolution_x, scene.render.resolution_y],
        "unit_system": scene.unit_settings.system,
        "unit_scale": scene.unit_settings.scale_length,
    }
