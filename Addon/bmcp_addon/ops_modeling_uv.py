"""UV unwrapping of a mesh object, one call each: smart project, cube projection, unwrap.

These need Blender's UV operators, which run in edit mode: modeling_support.edit_mode
enters it (headless too), selects the whole mesh and puts mode and selection back."""

import math

import bpy

from . import modeling_compat
from .modeling_support import UV_OUTPUT, edit_mode, mesh_object, uv_facts, uv_layer, version
from .ops_common import changed, registry
from .registry import NAME, NUMBER, OpError, Param, bad_params, one_of

OBJECT = Param(NAME, about="The mesh object to unwrap")
UV_MAP = Param(NAME, None, about="UV map to write (made if missing; default: the active one, or a new 'UVMap')")


def _unwrap(op_name, object, uv_map, run):
    obj = mesh_object(op_name, object)
    if not obj.data.polygons:
        raise bad_params(op_name, f"mesh of '{obj.name}' has no faces to unwrap")
    layer_name = uv_layer(obj.data, uv_map).name
    with edit_mode(op_name, obj):
        result = run()
    if "FINISHED" not in result:
        raise OpError("command_failed", f"{op_name}: Blender's UV operator answered {sorted(result)}")
    mesh = obj.data
    facts = uv_facts(mesh, mesh.uv_layers[layer_name])
    return {"object": obj.name, **facts, "changed": changed(modified=[obj.name])}


@registry.tool(
    "uv_smart_project",
    "UV-unwrap a mesh object with Smart UV Project: islands split where faces meet sharper than an angle, packed into 0..1.",
    toolset="modeling",
    idempotent=True,
    output=UV_OUTPUT,
)
@registry.mutating_op(
    "uv.smart_project",
    object=OBJECT,
    angle_limit=Param(NUMBER, 66.0, minimum=1.0, maximum=89.0, about="Split islands where faces meet sharper than this, degrees"),
    island_margin=Param(NUMBER, 0.0, minimum=0.0, maximum=1.0, about="Space between islands, in UV units"),
    uv_map=UV_MAP,
)
def uv_smart_project(ctx, object, angle_limit, island_margin, uv_map):
    return _unwrap("uv.smart_project", object, uv_map,
                   lambda: bpy.ops.uv.smart_project(angle_limit=math.radians(angle_limit), island_margin=island_margin))


@registry.tool(
    "uv_cube_project",
    "UV-map a mesh object by cube projection: each face projected from the side of a cube it faces most.",
    toolset="modeling",
    idempotent=True,
    output=UV_OUTPUT,
)
@registry.mutating_op(
    "uv.cube_project",
    object=OBJECT,
    cube_size=Param(NUMBER, 1.0, minimum=0.001, maximum=1000.0, about="Size of the projection cube, m (bigger = smaller UVs)"),
    uv_map=UV_MAP,
)
def uv_cube_project(ctx, object, cube_size, uv_map):
    return _unwrap("uv.cube_project", object, uv_map, lambda: bpy.ops.uv.cube_project(cube_size=cube_size))


@registry.tool(
    "uv_unwrap",
    "UV-unwrap a mesh object along its seams (angle based, conformal, or minimum stretch on 4.3+); can first mark seams on sharp edges.",
    toolset="modeling",
    idempotent=True,
    output={**UV_OUTPUT, "seams": {"type": "integer", "description": "Edges marked as seams"}},
)
@registry.mutating_op(
    "uv.unwrap",
    object=OBJECT,
    method=Param(one_of(*modeling_compat.UNWRAP_METHOD_NAMES), "angle_based", about="Unwrap method (minimum_stretch needs Blender 4.3+)"),
    margin=Param(NUMBER, 0.001, minimum=0.0, maximum=1.0, about="Space between islands, in UV units"),
    seam_angle=Param(NUMBER, None, minimum=0.0, maximum=180.0,
                     about="First mark as seams the edges whose faces meet sharper than this, degrees (default: keep the seams as they are)"),
    uv_map=UV_MAP,
)
def uv_unwrap(ctx, object, method, margin, seam_angle, uv_map):
    identifier = modeling_compat.unwrap_method(version(), method)
    if identifier is None:
        available = ", ".join(modeling_compat.unwrap_methods_available(version()))
        raise OpError("not_available", f"uv.unwrap: method '{method}' is not in Blender {bpy.app.version_string} (param 'method': {available})")
    obj = mesh_object("uv.unwrap", object)
    if seam_angle is not None:
        _mark_seams(obj, math.radians(seam_angle))
    answer = _unwrap("uv.unwrap", object, uv_map, lambda: bpy.ops.uv.unwrap(method=identifier, margin=margin))
    answer["seams"] = sum(1 for edge in obj.data.edges if edge.use_seam)
    return answer


def _mark_seams(obj, limit):
    if obj.mode == "EDIT":
        obj.update_from_editmode()
    mesh = obj.data
    faces_of = {}
    for polygon in mesh.polygons:
        for key in polygon.edge_keys:
            faces_of.setdefault(key, []).append(polygon.normal)
    for edge in mesh.edges:
        normals = faces_of.get(edge.key, [])
        # Boundary edges cut nothing; an edge between two faces is a seam when it is sharp.
        edge.use_seam = len(normals) == 2 and normals[0].angle(normals[1], 0.0) >= limit - 1e-6
