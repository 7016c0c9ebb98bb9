"""Object-level modeling steps: join meshes, separate loose parts, set the origin, apply
the transform, convert a curve / text (or a mesh's modifiers) to a plain mesh."""

import bmesh
import bpy
from mathutils import Matrix, Vector

from .modeling_support import COUNT_OUTPUT, counts, mesh_object, remove_object, replace_mesh, transform_data
from .ops_common import (
    changed, current_scene, find_object_of_type, find_objects, registry, update_view_layer, vector,
)
from .registry import BOOLEAN, NAME, STRING_LIST, VECTOR3, INTEGER, OpError, Param, bad_params, one_of

_SHAPED = ("MESH", "CURVE")


@registry.tool(
    "join_objects",
    "Join mesh objects into one: their geometry moves into the target (keeping its world place and materials) and the others are deleted.",
    toolset="modeling",
    destructive=True,
    output={**COUNT_OUTPUT, "joined": {"type": "array", "items": {"type": "string"}}},
)
@registry.mutating_op(
    "mesh.join",
    target=Param(NAME, about="The mesh object that receives the geometry (keeps its name and origin)"),
    objects=Param(STRING_LIST, about="The other mesh objects to join into it (deleted afterwards)"),
)
def mesh_join(ctx, target, objects):
    obj = mesh_object("mesh.join", target, param="target")
    others = [other for other in find_objects(objects) if other != obj]
    if not others:
        raise bad_params("mesh.join", f"param 'objects' must name at least one mesh object other than the target '{obj.name}'")
    for other in others:
        if other.type != "MESH":
            raise bad_params("mesh.join", f"param 'objects' must name mesh objects; '{other.name}' is a {other.type}")
    if obj.mode == "EDIT":
        raise OpError("not_supported", f"mesh.join: target '{obj.name}' is in edit mode; leave edit mode first")
    update_view_layer()
    materials = obj.data.materials
    bm = bmesh.new()
    try:
        bm.from_mesh(obj.data)
        into_target = obj.matrix_world.inverted()
        for other in others:
            piece = other.data.copy()
            piece.transform(into_target @ other.matrix_world)
            first = len(bm.faces)
            # The piece's material slots are appended to the target's where missing, and its
            # faces renumbered to them.
            slots = []
            for slot in other.material_slots:
                material = slot.material
                if material is None:
                    slots.append(0)
                    continue
                index = next((i for i, m in enumerate(materials) if m == material), None)
                if index is None:
                    materials.append(material)
                    index = len(materials) - 1
                slots.append(index)
            bm.from_mesh(piece)
            bm.faces.ensure_lookup_table()
            for face in bm.faces[first:]:
                face.material_index = slots[face.material_index] if face.material_index < len(slots) else 0
            bpy.data.meshes.remove(piece)
        bm.to_mesh(obj.data)
    finally:
        bm.free()
    obj.data.update()
    joined = [other.name for other in others]
    for other in others:
        remove_object(other)
    return {"object": obj.name, **counts(obj.data), "joined": joined, "changed": changed(modified=[obj.name], removed=joined)}


def _islands(bm):
    """Vertex index sets, one per connected part."""
    seen, parts = set(), []
    for start in bm.verts:
        if start.index in seen:
            continue
        part, stack = set(), [start]
        while stack:
            vert = stack.pop()
            if vert.index in part:
                continue
            part.add(vert.index)
            stack.extend(edge.other_vert(vert) for edge in vert.link_edges)
        seen |= part
        parts.append(part)
    return parts


@registry.tool(
    "separate_loose_parts",
    "Split a mesh object into one object per connected part; the largest part keeps the original object.",
    toolset="modeling",
    output={"object": {"type": "string"}, "parts": {"type": "array", "items": {"type": "string"}, "description": "Every resulting object, original first"}},
)
@registry.mutating_op(
    "mesh.separate_loose",
    object=Param(NAME, about="The mesh object to split"),
    max_parts=Param(INTEGER, 1000, minimum=2, maximum=10000, about="Refuse meshes with more parts than this"),
)
def mesh_separate_loose(ctx, object, max_parts):
    obj = mesh_object("mesh.separate_loose", object)
    if obj.mode == "EDIT":
        raise OpError("not_supported", f"mesh.separate_loose: '{obj.name}' is in edit mode; leave edit mode first")
    source = bmesh.new()
    try:
        source.from_mesh(obj.data)
        source.verts.index_update()
        parts = sorted(_islands(source), key=len, reverse=True)
        if len(parts) > max_parts:
            raise bad_params("mesh.separate_loose", f"'{obj.name}' has {len(parts)} loose parts, more than max_parts {max_parts}")
        meshes = []
        for part in parts:
            piece = source.copy()
            piece.verts.ensure_lookup_table()
            bmesh.ops.delete(piece, geom=[v for v in piece.verts if v.index not in part], context="VERTS")
            mesh = bpy.data.meshes.new(obj.data.name)
            piece.to_mesh(mesh)
            piece.free()
            for material in obj.data.materials:
                mesh.materials.append(material)
            meshes.append(mesh)
    finally:
        source.free()
    created = []
    for mesh in meshes[1:]:
        part = obj.copy()
        part.data = mesh
        for collection in obj.users_collection:
            collection.objects.link(part)
        created.append(part.name)
    replace_mesh(obj, meshes[0])
    return {"object": obj.name, "parts": [obj.name, *created], "changed": changed(created=created, modified=[obj.name])}


def _shaped_object(op_name, name):
    return find_object_of_type(name, op_name, _SHAPED, "a mesh or curve object")


def _local_points(obj):
    data = obj.data
    if obj.type == "MESH":
        return [v.co.copy() for v in data.vertices]
    points = []
    for spline in data.splines:
        points += [p.co.copy() for p in spline.bezier_points]
        points += [p.co.xyz for p in spline.points]
    return points


@registry.tool(
    "set_origin",
    "Move a mesh or curve object's origin to its geometry's centre, its bounding-box centre, the 3D cursor or a world point, without moving the geometry.",
    toolset="modeling",
    idempotent=True,
    output={"object": {"type": "string"}, "location": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3}},
)
@registry.mutating_op(
    "object.set_origin",
    object=Param(NAME, about="The mesh or curve object"),
    to=Param(one_of("geometry", "bounds", "cursor", "point"), "geometry",
             about="geometry = mean of its vertices, bounds = centre of its bounding box, cursor = the 3D cursor, point = 'point'"),
    point=Param(VECTOR3, None, about="With to='point': the new origin [x, y, z] in world space, m"),
)
def object_set_origin(ctx, object, to, point):
    obj = _shaped_object("object.set_origin", object)
    if (point is not None) != (to == "point"):
        raise bad_params("object.set_origin", "param 'point' is needed with to='point' and only then"
                         f" (got to='{to}', point={'given' if point is not None else 'none'})")
    update_view_layer()
    world = obj.matrix_world
    if to == "point":
        local = world.inverted() @ Vector(point)
    elif to == "cursor":
        local = world.inverted() @ current_scene().cursor.location
    else:
        points = _local_points(obj)
        if not points:
            raise bad_params("object.set_origin", f"'{obj.name}' has no geometry to take a centre from (param 'to'='{to}')")
        if to == "geometry":
            local = sum(points, Vector()) / len(points)
        else:
            local = Vector([(min(p[axis] for p in points) + max(p[axis] for p in points)) / 2 for axis in range(3)])
    transform_data(obj, Matrix.Translation(-local))
    obj.matrix_world = world @ Matrix.Translation(local)
    update_view_layer()
    return {"object": obj.name, "location": vector(obj.matrix_world.translation), "changed": changed(modified=[obj.name])}


@registry.tool(
    "apply_transform",
    "Bake a mesh or curve object's location, rotation and/or scale into its geometry, so they read 0 / 0 / 1 and the shape stays where it is.",
    toolset="modeling",
    idempotent=True,
    output={"object": {"type": "string"}, "dimensions": {"type": "array", "items": {"type": "number"}}},
)
@registry.mutating_op(
    "object.apply_transform",
    object=Param(NAME, about="The mesh or curve object"),
    location=Param(BOOLEAN, False, about="Apply the location"),
    rotation=Param(BOOLEAN, True, about="Apply the rotation"),
    scale=Param(BOOLEAN, True, about="Apply the scale"),
)
def object_apply_transform(ctx, object, location, rotation, scale):
    obj = _shaped_object("object.apply_transform", object)
    if not (location or rotation or scale):
        raise bad_params("object.apply_transform", "at least one of params 'location', 'rotation', 'scale' must be true")
    if obj.data.users > 1:
        raise OpError("not_supported", f"object.apply_transform: the data of '{obj.name}' is shared by {obj.data.users} objects")
    basis = obj.matrix_basis.copy()
    moved, turned, sized = basis.decompose()
    kept = (Matrix.Translation(Vector() if location else moved)
            @ (Matrix.Identity(4) if rotation else turned.to_matrix().to_4x4())
            @ (Matrix.Identity(4) if scale else Matrix.Diagonal((*sized, 1.0))))
    transform_data(obj, kept.inverted() @ basis)
    obj.matrix_basis = kept
    update_view_layer()
    return {"object": obj.name, "dimensions": vector(obj.dimensions), "changed": changed(modified=[obj.name])}


@registry.tool(
    "convert_to_mesh",
    "Convert a curve, text, surface or metaball object to a mesh object (or bake a mesh's modifiers), in place or as a copy.",
    toolset="modeling",
    destructive=True,
    output={**COUNT_OUTPUT, "source": {"type": "string"}},
)
@registry.mutating_op(
    "object.convert_to_mesh",
    object=Param(NAME, about="The object to convert"),
    keep_original=Param(BOOLEAN, False, about="Keep the original object and make the mesh a new object named '<name>_mesh'"),
)
def object_convert_to_mesh(ctx, object, keep_original):
    obj = find_object_of_type(object, "object.convert_to_mesh", ("MESH", "CURVE", "FONT", "SURFACE", "META"),
                              "a curve, text, surface, metaball or mesh object")
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    mesh = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph), preserve_all_data_layers=True, depsgraph=depsgraph)
    if not keep_original and obj.type == "MESH":
        obj.modifiers.clear()
        replace_mesh(obj, mesh)
        return {"object": obj.name, "source": obj.name, **counts(mesh), "changed": changed(modified=[obj.name])}
    source_name = obj.name
    new = bpy.data.objects.new(f"{source_name}_mesh", mesh)
    new.parent = obj.parent
    new.matrix_parent_inverse = obj.matrix_parent_inverse.copy()
    new.matrix_basis = obj.matrix_basis.copy()
    for collection in obj.users_collection:
        collection.objects.link(new)
    if keep_original:
        return {"object": new.name, "source": source_name, **counts(mesh), "changed": changed(created=[new.name])}
    for child in obj.children:
        world = child.matrix_world.copy()
        child.parent = new
        child.matrix_world = world
    remove_object(obj)
    new.name = source_name
    mesh.name = source_name
    return {"object": new.name, "source": source_name, **counts(mesh), "changed": changed(modified=[new.name])}
