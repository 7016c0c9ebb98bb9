"""Editing existing objects: transform, rename, parent, duplicate, delete, select."""

import bpy
from mathutils import Euler, Vector

from .ops_common import (
    already_exists,
    changed,
    current_scene,
    find_object,
    find_objects,
    registry,
    update_view_layer,
    vector,
)
from .object_facts import euler_rotation
from .registry import BOOLEAN, NAME, STRING_LIST, VECTOR3, Param, array_of, bad_params

# Object data types removed with their last object, so deleted objects do not
# leave orphan meshes behind in bpy.data until the next save/reload.
_DATA_COLLECTIONS = {
    "MESH": "meshes",
    "CURVE": "curves",
    "SURFACE": "curves",
    "FONT": "curves",
    "LIGHT": "lights",
    "CAMERA": "cameras",
}


VECTOR_OUT = {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3}
OBJECT_PARAM = Param(NAME, about="The object's name")


@registry.tool(
    "transform_object",
    "Set (or with delta, add to) an object's location (metres), rotation (radians, XYZ Euler) and scale "
    "(with delta: multiplied). Give at least one of them.",
    toolset="core",
    output={"name": {"type": "string"}, "location": VECTOR_OUT, "rotation": VECTOR_OUT, "scale": VECTOR_OUT},
)
@registry.mutating_op(
    "object.transform",
    name=OBJECT_PARAM,
    location=Param(VECTOR3, None, about="Location [x, y, z], m"),
    rotation=Param(VECTOR3, None, about="Rotation [x, y, z] in radians (XYZ Euler), as get_object_info reports it"),
    scale=Param(VECTOR3, None, about="Scale [x, y, z]"),
    delta=Param(BOOLEAN, False, about="Add location and rotation to the current ones and multiply scale, instead of replacing them"),
)
def object_transform(ctx, name, location, rotation, scale, delta):
    """Rotation is in radians (XYZ Euler), as object.info reports it; delta=true adds location
    and rotation and multiplies scale."""
    obj = find_object(name)
    if location is None and rotation is None and scale is None:
        raise bad_params("object.transform", "give at least one of 'location', 'rotation', 'scale'")
    if location is not None:
        obj.location = Vector(location) + (obj.location if delta else Vector())
    if rotation is not None:
        current = euler_rotation(obj) if delta else [0.0, 0.0, 0.0]
        obj.rotation_mode = "XYZ"
        obj.rotation_euler = Euler([c + r for c, r in zip(current, rotation)], "XYZ")
    if scale is not None:
        obj.scale = [s * f for s, f in zip(obj.scale, scale)] if delta else scale
    return {
        "name": obj.name,
        "location": vector(obj.location),
        "rotation": euler_rotation(obj),
        "scale": vector(obj.scale),
        "changed": changed(modified=[obj.name]),
    }


@registry.tool(
    "rename_object",
    "Rename an object (refused if another object has the new name).",
    toolset="core",
    output={"name": {"type": "string", "description": "Its name now (Blender truncates long names)"},
            "old_name": {"type": "string"}},
)
@registry.mutating_op("object.rename", name=OBJECT_PARAM, new_name=Param(NAME, about="The new name"))
def object_rename(ctx, name, new_name):
    obj = find_object(name)
    if new_name == name:
        return {"name": name, "changed": changed()}
    if bpy.data.objects.get(new_name) is not None:
        raise already_exists("object", new_name)
    obj.name = new_name
    # Blender truncates long names; report what it really is now.
    return {"name": obj.name, "old_name": name, "changed": changed(modified=[obj.name])}


@registry.tool(
    "parent_object",
    "Parent an object to another (or, without parent, clear its parent).",
    toolset="core",
    idempotent=True,
    output={"name": {"type": "string"}, "parent": {"type": ["string", "null"]}},
)
@registry.mutating_op(
    "object.parent",
    name=OBJECT_PARAM,
    parent=Param(NAME, None, about="The new parent (omit to clear the parent)"),
    keep_transform=Param(BOOLEAN, True, about="Keep the world placement (else keep the local transform, so it moves with the parent)"),
)
def object_parent(ctx, name, parent, keep_transform):
    """parent=null clears the parent. keep_transform keeps the world placement;
    without it the object's local transform is kept (so it moves with the parent)."""
    obj = find_object(name)
    new_parent = find_object(parent) if parent is not None else None
    if new_parent is not None:
        ancestor = new_parent
        while ancestor is not None:
            if ancestor == obj:
                raise bad_params("object.parent", f"'{parent}' cannot parent '{name}': that would make a cycle")
            ancestor = ancestor.parent
    update_view_layer()
    world = obj.matrix_world.copy()
    obj.parent = new_parent
    if new_parent is None:
        obj.matrix_parent_inverse.identity()
        if keep_transform:
            obj.matrix_world = world
    elif keep_transform:
        # What Ctrl+P > Object does: the inverse cancels the parent's current transform.
        obj.matrix_parent_inverse = new_parent.matrix_world.inverted()
    else:
        obj.matrix_parent_inverse.identity()
    return {"name": obj.name, "parent": parent, "changed": changed(modified=[obj.name])}


@registry.tool(
    "duplicate_object",
    "Duplicate an object, optionally sharing its data (linked, like Alt+D) and offset from it.",
    toolset="core",
    output={"name": {"type": "string", "description": "The copy's name"}, "linked": {"type": "boolean"}},
)
@registry.mutating_op(
    "object.duplicate",
    name=OBJECT_PARAM,
    new_name=Param(NAME, None, about="Name of the copy (default: Blender's, e.g. 'Cube.001')"),
    linked=Param(BOOLEAN, False, about="Share the mesh data instead of copying it"),
    offset=Param(VECTOR3, [0.0, 0.0, 0.0], about="Offset [x, y, z] from the original, m"),
)
def object_duplicate(ctx, name, new_name, linked, offset):
    """linked=true shares the mesh (like Alt+D); otherwise the data is copied too."""
    source = find_object(name)
    if new_name is not None and bpy.data.objects.get(new_name) is not None:
        raise already_exists("object", new_name)
    copy = source.copy()
    if source.data is not None and not linked:
        copy.data = source.data.copy()
    if new_name is not None:
        copy.name = new_name
    copy.location = source.location + Vector(offset)
    collections = source.users_collection or (current_scene().collection,)
    for collection in collections:
        collection.objects.link(copy)
    return {
        "name": copy.name,
        "linked": linked,
        "changed": changed(created=[copy.name], modified=[c.name for c in collections]),
    }


@registry.tool(
    "delete_objects",
    "Delete objects by name (with their data when nothing else uses it); nothing is deleted if one is missing.",
    toolset="core",
    destructive=True,
    output={"deleted": {"type": "array", "items": {"type": "string"}}},
)
@registry.mutating_op("object.delete", names=Param(array_of(NAME, 1), about="Names of the objects to delete"))
def object_delete(ctx, names):
    if not names:
        raise bad_params("object.delete", "param 'names' must name at least one object")
    removed = []
    for obj in find_objects(names):
        data, kind = obj.data, obj.type
        removed.append(obj.name)
        bpy.data.objects.remove(obj, do_unlink=True)
        _remove_orphan_data(data, kind)
    return {"deleted": removed, "changed": changed(removed=removed)}


def _remove_orphan_data(data, kind):
    collection_name = _DATA_COLLECTIONS.get(kind)
    if data is not None and collection_name and data.users == 0:
        getattr(bpy.data, collection_name).remove(data)


@registry.tool(
    "select_objects",
    "Select objects (and make one active).",
    toolset="core",
    idempotent=True,
    output={"selected": {"type": "array", "items": {"type": "string"}}, "active": {"type": ["string", "null"]}},
)
@registry.mutating_op(
    "object.select",
    names=Param(STRING_LIST, about="Names of the objects to select"),
    active=Param(NAME, None, about="The object to make active (selected too)"),
    deselect_others=Param(BOOLEAN, True, about="Deselect everything else"),
)
def object_select(ctx, names, active, deselect_others):
    wanted = find_objects(names + ([active] if active else []))
    view_layer = bpy.context.view_layer
    before = {obj.name for obj in current_scene().objects if obj.select_get()}
    if deselect_others:
        for obj in current_scene().objects:
            if obj.select_get() and obj.name not in names and obj.name != active:
                obj.select_set(False)
    for obj in wanted:
        try:
            obj.select_set(True)
        except RuntimeError as exc:
            # Objects hidden from the view layer cannot be selected.
            raise bad_params("object.select", f"object '{obj.name}' cannot be selected: {exc}") from None
    if active is not None:
        view_layer.objects.active = bpy.data.objects[active]
    after = {obj.name for obj in current_scene().objects if obj.select_get()}
    active_object = view_layer.objects.active
    return {
        "selected": sorted(after),
        "active": active_object.name if active_object else None,
        "changed": changed(modified=sorted(before ^ after)),
    }
