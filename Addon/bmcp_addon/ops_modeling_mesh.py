"""Whole-mesh modeling steps: boolean with another object, mirror, decimate (each a
modifier baked into the mesh at once), smooth / flat shading, and a mesh made from
vertex and face lists."""

import math

import bpy

from . import modeling_compat
from .modeling_support import COUNT_OUTPUT, bake_modifier, counts, mesh_object, remove_object, version
from .ops_common import already_exists, changed, find_collection, find_object, registry
from .ops_objects import _active_collection
from .registry import BOOLEAN, INTEGER, NAME, NUMBER, VECTOR3, OpError, Param, array_of, bad_params, one_of, strings_from

OBJECT = Param(NAME, about="The mesh object to change")
BOOLEAN_OPERATIONS = {"union": "UNION", "difference": "DIFFERENCE", "intersect": "INTERSECT"}


@registry.tool(
    "apply_boolean",
    "Cut, join or intersect a mesh object with another object in one step (a Boolean modifier applied at once); "
    "the other object can be kept, hidden or deleted.",
    toolset="modeling",
    destructive=True,
    output={**COUNT_OUTPUT, "operand": {"type": "string"}, "operand_action": {"type": "string"}},
)
@registry.mutating_op(
    "mesh.boolean",
    object=OBJECT,
    operand=Param(NAME, about="The other mesh object (the cutter for 'difference')"),
    operation=Param(one_of(*BOOLEAN_OPERATIONS), "difference", about="union, difference (object minus operand) or intersect"),
    solver=Param(one_of("exact", "fast", "manifold"), "exact",
                 about="exact (robust), fast (simple float maths), manifold (Blender 4.5+, closed meshes)"),
    operand_action=Param(one_of("keep", "hide", "delete"), "hide", about="What to do with the operand afterwards"),
)
def mesh_boolean(ctx, object, operand, operation, solver, operand_action):
    obj = mesh_object("mesh.boolean", object)
    other = mesh_object("mesh.boolean", operand, param="operand")
    if other == obj:
        raise bad_params("mesh.boolean", f"param 'operand' must be another object than 'object' (both are '{obj.name}')")
    available = bpy.types.BooleanModifier.bl_rna.properties["solver"].enum_items.keys()
    identifier = next((c for c in modeling_compat.boolean_solver_candidates(version(), solver) if c in available), None)
    if identifier is None:
        raise OpError("not_available", f"mesh.boolean: solver '{solver}' is not in Blender {bpy.app.version_string} "
                      f"(its solvers: {', '.join(s.lower() for s in available)})")
    bake_modifier(obj, "BOOLEAN", {"object": other, "operation": BOOLEAN_OPERATIONS[operation], "solver": identifier})
    removed, modified = [], [obj.name]
    other_name = other.name
    if operand_action == "hide":
        other.hide_set(True)
        other.hide_render = True
        modified.append(other_name)
    elif operand_action == "delete":
        remove_object(other)
        removed.append(other_name)
    return {"object": obj.name, **counts(obj.data), "operand": other_name, "operand_action": operand_action,
            "changed": changed(modified=modified, removed=removed)}


@registry.tool(
    "mirror_object",
    "Mirror a mesh object's geometry across its own origin on one or more axes and apply it, welding the seam.",
    toolset="modeling",
    output=COUNT_OUTPUT,
)
@registry.mutating_op(
    "mesh.mirror",
    object=OBJECT,
    axes=Param(strings_from("x", "y", "z"), ["x"], about="Axes to mirror across (local), e.g. [\"x\"]"),
    merge=Param(BOOLEAN, True, about="Weld vertices that meet on the mirror plane"),
    merge_distance=Param(NUMBER, 0.001, minimum=0.0, maximum=10.0, about="Weld distance, m"),
    mirror_object=Param(NAME, None, about="Mirror across this object's origin instead of the object's own"),
    bisect=Param(BOOLEAN, False, about="Cut away the geometry on the far side of the mirror plane first"),
)
def mesh_mirror(ctx, object, axes, merge, merge_distance, mirror_object, bisect):
    obj = mesh_object("mesh.mirror", object)
    if not axes:
        raise bad_params("mesh.mirror", "param 'axes' must name at least one of 'x', 'y', 'z', got an empty array")
    centre = find_object(mirror_object) if mirror_object else None
    flags = tuple(axis in axes for axis in "xyz")
    bake_modifier(obj, "MIRROR", {
        "use_axis": flags, "use_bisect_axis": tuple(bisect and flag for flag in flags),
        "use_mirror_merge": merge, "merge_threshold": merge_distance, "mirror_object": centre,
    })
    return {"object": obj.name, **counts(obj.data), "changed": changed(modified=[obj.name])}


@registry.tool(
    "decimate_mesh",
    "Reduce the face count of a mesh object (collapse to a ratio of its faces, or dissolve nearly flat faces) and apply it.",
    toolset="modeling",
    destructive=True,
    output={**COUNT_OUTPUT, "polygons_before": {"type": "integer"}},
)
@registry.mutating_op(
    "mesh.decimate",
    object=OBJECT,
    ratio=Param(NUMBER, 0.5, minimum=0.0, maximum=1.0, about="mode 'collapse': the share of faces to keep"),
    mode=Param(one_of("collapse", "planar"), "collapse", about="collapse edges to a ratio, or planar: merge faces meeting flatter than 'angle'"),
    angle=Param(NUMBER, 5.0, minimum=0.0, maximum=180.0, about="mode 'planar': the angle limit, degrees"),
)
def mesh_decimate(ctx, object, ratio, mode, angle):
    obj = mesh_object("mesh.decimate", object)
    before = len(obj.data.polygons)
    if mode == "collapse":
        settings = {"decimate_type": "COLLAPSE", "ratio": ratio}
    else:
        settings = {"decimate_type": "DISSOLVE", "angle_limit": math.radians(angle)}
    bake_modifier(obj, "DECIMATE", settings)
    return {"object": obj.name, **counts(obj.data), "polygons_before": before, "changed": changed(modified=[obj.name])}


def _set_smooth(mesh, smooth):
    values = [smooth] * len(mesh.polygons)
    mesh.polygons.foreach_set("use_smooth", values)
    mesh.update()


@registry.tool(
    "shade_smooth",
    "Shade a mesh object smooth, optionally keeping edges sharper than an angle sharp (auto smooth / smooth by angle).",
    toolset="modeling",
    idempotent=True,
    output={"object": {"type": "string"}, "smooth_faces": {"type": "integer"}, "sharp_edges": {"type": "integer"}},
)
@registry.mutating_op(
    "mesh.shade_smooth",
    object=OBJECT,
    angle=Param(NUMBER, None, minimum=0.0, maximum=180.0,
                about="Keep edges whose faces meet sharper than this sharp, degrees (default: smooth everywhere)"),
)
def mesh_shade_smooth(ctx, object, angle):
    obj = mesh_object("mesh.shade_smooth", object)
    mesh = obj.data
    _set_smooth(mesh, True)
    method = modeling_compat.smooth_by_angle_method(version())
    sharp = 0
    if method == "auto_smooth":
        mesh.use_auto_smooth = angle is not None
        if angle is not None:
            mesh.auto_smooth_angle = math.radians(angle)
            sharp = _count_sharper(mesh, math.radians(angle))
    else:
        if angle is not None:
            mesh.set_sharp_from_angle(angle=math.radians(angle))
            sharp = sum(1 for edge in mesh.edges if edge.use_edge_sharp)
    return {"object": obj.name, "smooth_faces": sum(1 for p in mesh.polygons if p.use_smooth), "sharp_edges": sharp,
            "changed": changed(modified=[obj.name])}


def _count_sharper(mesh, limit):
    """Edges whose two faces meet at more than `limit` (what auto smooth keeps sharp)."""
    faces_of = {}
    for polygon in mesh.polygons:
        for key in polygon.edge_keys:
            faces_of.setdefault(key, []).append(polygon.normal)
    return sum(1 for normals in faces_of.values() if len(normals) == 2 and normals[0].angle(normals[1], 0.0) > limit)


@registry.tool(
    "shade_flat",
    "Shade a mesh object flat (every face shows its own facets).",
    toolset="modeling",
    idempotent=True,
    output={"object": {"type": "string"}, "smooth_faces": {"type": "integer"}},
)
@registry.mutating_op("mesh.shade_flat", object=OBJECT)
def mesh_shade_flat(ctx, object):
    obj = mesh_object("mesh.shade_flat", object)
    mesh = obj.data
    _set_smooth(mesh, False)
    if modeling_compat.smooth_by_angle_method(version()) == "auto_smooth":
        mesh.use_auto_smooth = False
    return {"object": obj.name, "smooth_faces": sum(1 for p in mesh.polygons if p.use_smooth),
            "changed": changed(modified=[obj.name])}


@registry.tool(
    "create_mesh_from_data",
    "Create a mesh object from a list of vertices and faces (each face a list of vertex indices), plus loose edges.",
    toolset="modeling",
    output={**COUNT_OUTPUT, "name": {"type": "string"}},
)
@registry.mutating_op(
    "mesh.from_data",
    vertices=Param(array_of(VECTOR3, 1, 100000), about="Vertex positions [[x, y, z], ...], m, in the object's local space"),
    faces=Param(array_of(array_of(INTEGER, 3, 1000), 0, 100000), [], about="Faces, each a list of 3+ vertex indices in order (counter-clockwise seen from outside)"),
    edges=Param(array_of(array_of(INTEGER, 2, 2), 0, 100000), [], about="Loose edges, each [i, j]"),
    name=Param(NAME, "Mesh", about="The new object's name"),
    location=Param(VECTOR3, [0.0, 0.0, 0.0], about="Location [x, y, z], m"),
    collection=Param(NAME, None, about="Collection to put it in (default: the active one)"),
)
def mesh_from_data(ctx, vertices, faces, edges, name, location, collection):
    count = len(vertices)
    for label, items in (("faces", faces), ("edges", edges)):
        for position, item in enumerate(items):
            wrong = [index for index in item if not 0 <= index < count]
            if wrong:
                raise bad_params("mesh.from_data", f"param '{label}' item {position} uses vertex {wrong[0]}, outside 0..{count - 1}")
            if len(set(item)) != len(item):
                raise bad_params("mesh.from_data", f"param '{label}' item {position} repeats a vertex: {item}")
    if bpy.data.objects.get(name) is not None:
        raise already_exists("object", name)
    target = find_collection(collection) if collection else _active_collection()
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata([tuple(v) for v in vertices], [tuple(e) for e in edges], [tuple(f) for f in faces])
    mesh.validate()
    mesh.update()
    obj = bpy.data.objects.new(name, mesh)
    obj.location = location
    target.objects.link(obj)
    return {"object": obj.name, "name": obj.name, **counts(mesh), "changed": changed(created=[obj.name], modified=[target.name])}
