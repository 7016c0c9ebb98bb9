"""What the ops_modeling_* modules share: finding a mesh object, editing its mesh through
bmesh (in object or edit mode), choosing faces, baking a modifier into the mesh, running a
mesh operator in edit mode headless, and moving an object's data under a fixed world shape."""

import math
from contextlib import contextmanager

import bmesh
import bpy
from mathutils import Vector

from . import modeling_compat
from .ops_common import find_object_of_type, version
from .registry import INTEGER, OpError, Param, array_of, bad_params, one_of

FACINGS = ("any", "+x", "-x", "+y", "-y", "+z", "-z")
_FACING_AXES = {
    "+x": Vector((1, 0, 0)), "-x": Vector((-1, 0, 0)),
    "+y": Vector((0, 1, 0)), "-y": Vector((0, -1, 0)),
    "+z": Vector((0, 0, 1)), "-z": Vector((0, 0, -1)),
}
# A face "faces +z" when its normal is within this angle of +Z (a cube's top, a roof's slope
# of up to 45°), so a model can say "the top face" without knowing face indices.
_FACING_LIMIT = math.radians(45.0)


def faces_params():
    """The two params every face-choosing tool takes."""
    return {
        "faces": Param(array_of(INTEGER, 1, 100000), None,
                       about="Face indices to act on (default: the faces chosen by 'facing')"),
        "facing": Param(one_of(*FACINGS), "any",
                        about="Act on the faces whose local normal is within 45° of this axis; 'any' = all faces"),
    }


def mesh_object(op_name, name, param="object"):
    return find_object_of_type(name, op_name, ("MESH",), "a mesh object", param)


def counts(mesh):
    return {"vertices": len(mesh.vertices), "edges": len(mesh.edges), "polygons": len(mesh.polygons)}


COUNT_OUTPUT = {
    "object": {"type": "string"},
    "vertices": {"type": "integer", "description": "Vertex count after the edit"},
    "edges": {"type": "integer"},
    "polygons": {"type": "integer", "description": "Face count after the edit"},
}


@contextmanager
def editing_bmesh(obj):
    """A bmesh of obj's mesh, written back when the block ends without an error.

    An object in edit mode is edited through its edit-mesh (writing the object-mode mesh
    would be overwritten on leaving edit mode)."""
    mesh = obj.data
    if obj.mode == "EDIT":
        bm = bmesh.from_edit_mesh(mesh)
        yield bm
        bmesh.update_edit_mesh(mesh)
        obj.update_from_editmode()
        return
    bm = bmesh.new()
    try:
        bm.from_mesh(mesh)
        yield bm
        bm.to_mesh(mesh)
        mesh.update()
    finally:
        bm.free()


def choose_faces(op_name, bm, faces, facing):
    """The bmesh faces named by index, or those facing an axis; bad_params if none."""
    bm.faces.ensure_lookup_table()
    if faces is not None:
        count = len(bm.faces)
        wrong = [index for index in faces if not 0 <= index < count]
        if wrong:
            raise bad_params(op_name, f"param 'faces' holds index {wrong[0]}, outside 0..{count - 1} (the mesh has {count} faces)")
        return [bm.faces[index] for index in dict.fromkeys(faces)]
    if facing == "any":
        chosen = list(bm.faces)
    else:
        axis = _FACING_AXES[facing]
        chosen = [face for face in bm.faces if face.normal.length > 0 and face.normal.angle(axis) <= _FACING_LIMIT + 1e-6]
    if not chosen:
        raise bad_params(op_name, f"no face of the mesh faces '{facing}' (param 'facing'; the mesh has {len(bm.faces)} faces)")
    return chosen


def bake_modifier(obj, kind, settings):
    """Apply a modifier of `kind` with `settings` to obj's base mesh alone (obj's own
    modifiers are left as they are), through the evaluated object: no bpy.ops."""
    modifier = obj.modifiers.new("bmcp_bake", kind)
    try:
        for key, value in settings.items():
            setattr(modifier, key, value)
        saved = {m.name: m.show_viewport for m in obj.modifiers}
        try:
            for other in obj.modifiers:
                other.show_viewport = other == modifier
            depsgraph = bpy.context.evaluated_depsgraph_get()
            depsgraph.update()
            evaluated = obj.evaluated_get(depsgraph)
            baked = bpy.data.meshes.new_from_object(evaluated, preserve_all_data_layers=True, depsgraph=depsgraph)
        finally:
            for other in obj.modifiers:
                if other.name in saved:
                    other.show_viewport = saved[other.name]
    finally:
        obj.modifiers.remove(modifier)
    replace_mesh(obj, baked)
    return baked


def replace_mesh(obj, mesh):
    """Give obj a new mesh; the old one goes if nothing else uses it, and its name passes on."""
    old = obj.data
    obj.data = mesh
    if old.users == 0:
        name = old.name
        bpy.data.meshes.remove(old)
        mesh.name = name


def transform_data(obj, matrix):
    """Move obj's data by `matrix` (local space) and keep every child where it is in the world."""
    if obj.mode == "EDIT":
        raise OpError("not_supported", f"object '{obj.name}' is in edit mode; leave edit mode first")
    obj.data.transform(matrix)
    # A child's world matrix is parent_world @ parent_inverse @ its basis: the parent's new
    # world is the old one @ matrix^-1, so matrix @ parent_inverse keeps the child in place.
    for child in obj.children:
        child.matrix_parent_inverse = matrix @ child.matrix_parent_inverse
    obj.data.update()


def remove_object(obj):
    """Delete an object and its data when nothing else uses the data."""
    data = obj.data
    bpy.data.objects.remove(obj, do_unlink=True)
    if data is not None and data.users == 0:
        for collection in (bpy.data.meshes, bpy.data.curves):
            if data.name in collection and collection[data.name] == data:
                collection.remove(data)
                break


@contextmanager
def edit_mode(op_name, obj):
    """Run mesh operators on obj in edit mode with all of it selected, headless too; the
    object mode, active object and selection are put back afterwards."""
    view_layer = bpy.context.view_layer
    view_layer.update()  # an object linked since the last update has no base (visible_get is False) yet
    if view_layer.objects.get(obj.name) is None or not obj.visible_get():
        raise OpError("not_supported", f"{op_name}: object '{obj.name}' must be visible in the view layer to edit its UVs")
    previous_active = view_layer.objects.active
    selected = [o for o in view_layer.objects if o.select_get()]
    was_edit = obj.mode == "EDIT"
    for other in selected:
        other.select_set(False)
    obj.select_set(True)
    view_layer.objects.active = obj
    try:
        with _override(obj):
            if not was_edit:
                bpy.ops.object.mode_set(mode="EDIT")
            try:
                bpy.ops.mesh.select_all(action="SELECT")
                yield
            finally:
                if not was_edit:
                    bpy.ops.object.mode_set(mode="OBJECT")
    finally:
        obj.select_set(False)
        for other in selected:
            if other.name in view_layer.objects:
                other.select_set(True)
        view_layer.objects.active = previous_active


@contextmanager
def _override(obj):
    if modeling_compat.context_override_style(version()) == "temp_override":
        with bpy.context.temp_override(active_object=obj, object=obj, selected_objects=[obj],
                                       selected_editable_objects=[obj]):
            yield
    else:
        yield  # the active object set above is what those ops read


def uv_layer(mesh, name):
    """The named UV map (made if missing) or the active one (made if none), made active."""
    layers = mesh.uv_layers
    if name:
        layer = layers.get(name) or layers.new(name=name)
    else:
        layer = layers.active or layers.new(name="UVMap")
    layers.active = layer
    return layer


def uv_facts(mesh, layer):
    """The UV map's bounds and total area in UV space (0 for a degenerate unwrap)."""
    coords = [Vector(loop.uv) for loop in layer.data]
    area = 0.0
    for polygon in mesh.polygons:
        points = [coords[index] for index in polygon.loop_indices]
        # Shoelace formula: the polygon's area in the UV plane.
        area += abs(sum(a.x * b.y - b.x * a.y for a, b in zip(points, points[1:] + points[:1]))) / 2
    if not coords:
        return {"uv_map": layer.name, "uv_min": [0.0, 0.0], "uv_max": [0.0, 0.0], "uv_area": 0.0}
    return {
        "uv_map": layer.name,
        "uv_min": [min(c.x for c in coords), min(c.y for c in coords)],
        "uv_max": [max(c.x for c in coords), max(c.y for c in coords)],
        "uv_area": area,
    }


UV_OUTPUT = {
    "object": {"type": "string"},
    "uv_map": {"type": "string", "description": "The UV map written (made active)"},
    "uv_min": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    "uv_max": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    "uv_area": {"type": "number", "description": "Total face area in UV space (0 means a degenerate unwrap)"},
}
