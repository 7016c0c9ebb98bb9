"""What the camera, light and world ops share: finding a camera or light by name, aiming an
object's -Z axis at a point, a Track To constraint, and enum choices read from the running
Blender (the version guards themselves are in camera_light_compat)."""

import math

import bpy
from mathutils import Matrix, Vector

from .camera_light_compat import enum_items_from_error
from .ops_common import find_collection, find_object, find_object_of_type, update_view_layer, vector
from .registry import OpError, bad_params

# A sentinel no enum holds: assigning it makes Blender list the enum's real items.
_NO_SUCH_ITEM = "bmcp-no-such-item"


def find_camera(name, op_name, param="camera"):
    return find_object_of_type(name, op_name, ("CAMERA",), "a camera", param)


def find_light(name, op_name, param="light"):
    return find_object_of_type(name, op_name, ("LIGHT",), "a light", param)


def target_point(op_name, point, object_name, required=True):
    """The world point to aim at: `point` or the named object's bounding-box centre.
    Exactly one may be given (none at all only where not `required`)."""
    if point is not None and object_name is not None:
        raise bad_params(op_name, "give either 'target' (a point) or 'target_object', not both")
    if object_name is not None:
        return bounds_centre(find_object(object_name))
    if point is not None:
        return Vector(point)
    if required:
        raise bad_params(op_name, "give 'target' (a point [x, y, z]) or 'target_object' (an object's name)")
    return None


def bounds_centre(obj):
    update_view_layer()
    if obj.type in {"MESH", "CURVE", "SURFACE", "FONT", "META"}:
        corners = [obj.matrix_world @ Vector(corner) for corner in obj.bound_box]
        return sum(corners, Vector()) / len(corners)
    return obj.matrix_world.translation.copy()


def aim(obj, point, op_name):
    """Turn `obj` so its -Z axis (a camera's or a light's view) points at `point`, with +Y up
    in its view; its world location and scale stay. Works whatever its parent or rotation mode."""
    update_view_layer()
    location = obj.matrix_world.translation.copy()
    direction = Vector(point) - location
    if direction.length < 1e-9:
        raise bad_params(op_name, f"the target {vector(point)} is where '{obj.name}' stands; aim at another point")
    rotation = direction.normalized().to_track_quat("-Z", "Y").to_matrix().to_4x4()
    scale = obj.matrix_world.to_scale()
    obj.matrix_world = Matrix.Translation(location) @ rotation @ Matrix.Diagonal(scale).to_4x4()
    update_view_layer()
    return forward(obj)


def forward(obj):
    """The world direction `obj` looks along (its -Z axis)."""
    return (obj.matrix_world.to_quaternion() @ Vector((0.0, 0.0, -1.0))).normalized()


def track_to(obj, target):
    """A Track To constraint keeping `obj` aimed at `target` (replacing an earlier one of ours)."""
    name = "bmcp Track To"
    old = obj.constraints.get(name)
    if old is not None:
        obj.constraints.remove(old)
    constraint = obj.constraints.new("TRACK_TO")
    constraint.name = name
    constraint.target = target
    constraint.track_axis = "TRACK_NEGATIVE_Z"
    constraint.up_axis = "UP_Y"
    return constraint.name


def enum_choices(owner, prop):
    """The identifiers `owner.prop` accepts now. Dynamic enums (render engines, view
    transforms, looks) list only a static default through bl_rna, so ask Blender by a refused
    assignment, whose message names every item."""
    current = getattr(owner, prop)
    try:
        setattr(owner, prop, _NO_SUCH_ITEM)
    except TypeError as exc:
        return enum_items_from_error(str(exc))
    setattr(owner, prop, current)  # not expected: an enum took the sentinel; undo it
    return ()


def set_enum(owner, prop, value, op_name, param):
    """Assign an enum, answering bad_params that lists the allowed names on refusal."""
    choices = enum_choices(owner, prop)
    if choices and value not in choices:
        listed = ", ".join(f"'{choice}'" for choice in choices)
        raise bad_params(op_name, f"param '{param}' must be one of {listed}, got '{value}'")
    try:
        setattr(owner, prop, value)
    except TypeError as exc:
        raise bad_params(op_name, f"param '{param}': {exc}") from None


def target_collection(name):
    """Where a new object goes: the named collection, else the active one."""
    if name:
        return find_collection(name)
    layer_collection = bpy.context.view_layer.active_layer_collection
    return layer_collection.collection if layer_collection else bpy.context.scene.collection


def unique_new_name(name, op_name):
    if bpy.context.scene.objects.get(name) is not None or bpy.data.objects.get(name) is not None:
        raise OpError("already_exists", f"{op_name}: an object named '{name}' already exists")
    return name


def degrees(radians):
    return math.degrees(radians)
