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
from .registry import BOOLEAN, NAME, STRING_LIST, VECTOR3, Param, bad_params

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


@registry.mutating_op(
    "object.transform",
    name=Param(NAME),
    location=Param(VECTOR3, None),
    rotation=Param(VECTOR3, None),
    scale=Param(VECTOR3, None),
    delta=Param(BOOLEAN, False),
)
def object_transform(ctx, name, location, rotation, scale, delta):
    """delta=true adds location and rotation (radians, XYZ Euler) and multiplies scale."""
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


@registry.mutating_op("object.rename", name=Param(NAME), new_name=Param(NAME))
def object_rename(ctx, name, new_name):
    obj = find_object(name)
    if new_name == name:
        return {"name": name, "changed": changed()}
    if bpy.data.objects.get(new_name) is not None:
        raise already_exists("object", new_name)
    obj.name = new_name
    # Blender truncates long names; report what it really is now.
    return {"name": obj.name, "old_name": name, "changed": changed(modified=[obj.name])}


@registry.mutating_op(
    "object.parent",
    name=Param(NAME),
    parent=Param(NAME, None),
    keep_transform=Param(BOOLEAN, True),
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


@registry.mutating_op(
    "object.duplicate",
    name=Param(NAME),
    new_name=Param(NAME, None),
    linked=Param(BOOLEAN, False),
    offset=Param(VECTOR3, [0.0, 0.0, 0.0]),
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


@registry.mutating_op("object.delete", names=Param(STRING_LIST))
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


@registry.mutating_op(
    "object.select",
    names=Param(STRING_LIST),
    active=Param(NAME, None),
    deselect_others=Param(BOOLEAN, True),
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
