"""What the animation ops share: reading F-curves across Blender's action APIs, resolving a
data path on an object to the ID that owns its animation, and setting a property's value.

Blender 4.4+ stores F-curves in an action's layers/strips/channelbags (per slot) and 5.0 drops
`action.fcurves`; animation_compat.fcurve_access decides which way applies, `action_fcurves`
is the one place that reads them.
"""

from dataclasses import dataclass

import bpy

from .animation_compat import (
    fcurve_access, first_step, frames_match, is_angle, split_data_path, to_degrees, to_radians,
)
from .registry import Kind, OpError, _is_number, bad_params

# A keyframe value: one number, or one per array item (e.g. [x, y, z] for location).
VALUE = Kind(
    "a number or an array of numbers",
    lambda v: _is_number(v) or (isinstance(v, list) and len(v) > 0 and all(_is_number(x) for x in v)),
    schema={"oneOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}, "minItems": 1}]},
)
_KEYABLE_TYPES = frozenset({"FLOAT", "INT", "BOOLEAN"})
_COMMON_PATHS = "location, rotation_euler, scale, delta_location, hide_viewport, data.<property>, [\"custom\"]"


def action_fcurves(id_block):
    """The F-curve collection animating `id_block` (an object, mesh, light, shape-key block…),
    or None when it has no action. Supports .remove(fcurve) on every version."""
    animation = getattr(id_block, "animation_data", None)
    action = animation.action if animation else None
    if action is None:
        return None
    way = fcurve_access(bpy.app.version, hasattr(action, "fcurves"), hasattr(action, "layers"))
    if way == "channelbag":
        slot = getattr(animation, "action_slot", None)
        if slot is not None:
            for layer in action.layers:
                for strip in layer.strips:
                    bag = strip.channelbag(slot)
                    if bag is not None:
                        return bag.fcurves
        # A layered action with nothing keyed yet for this slot: 4.4's proxy, if any.
        return action.fcurves if hasattr(action, "fcurves") else None
    if way == "legacy":
        return action.fcurves
    return None


def animated_ids(obj):
    """(path prefix, ID) of every ID whose animation belongs to this object: the object, its
    data (a light's energy, a camera's lens) and a mesh's shape keys."""
    found = [("", obj)]
    data = obj.data
    if isinstance(data, bpy.types.ID):
        found.append(("data.", data))
        keys = getattr(data, "shape_keys", None)
        if keys is not None:
            found.append(("data.shape_keys.", keys))
    return found


def object_fcurves(obj, data_path=None):
    """[(prefix, id, fcurve)] over animated_ids, optionally only those of one full data path."""
    result = []
    for prefix, id_block in animated_ids(obj):
        fcurves = action_fcurves(id_block)
        for fcurve in fcurves or ():
            if data_path is None or prefix + fcurve.data_path == data_path:
                result.append((prefix, id_block, fcurve))
    return result


@dataclass
class Target:
    id_block: object  # the ID whose action holds the F-curve
    prefix: str  # how the object reaches it ("", "data.", "data.shape_keys.")
    path: str  # the data path within id_block
    owner: object  # the struct holding the property
    name: str  # the property (or custom key)
    is_key: bool  # a custom property ["name"]
    length: int  # 0 for a scalar, else the array length
    angle: bool  # stored in radians, given in degrees
    boolean: bool


def resolve_target(op_name, obj, data_path):
    """Where `data_path` (relative to the object, e.g. "location", "data.energy",
    'modifiers["Bevel"].width', '["speed"]') lives, or bad_params naming what is wrong."""
    id_block, prefix, path = obj, "", data_path
    while True:
        step = first_step(path)
        if step is None:
            break
        value = getattr(id_block, step[0], None)
        if not isinstance(value, bpy.types.ID):
            break
        id_block, prefix, path = value, prefix + step[0] + ".", step[1]
    split = split_data_path(path)
    if split is None:
        raise bad_params(op_name, f"param 'data_path' cannot be keyed as '{data_path}' (give the index in 'index', "
                                  f"not in the path; e.g. {_COMMON_PATHS})")
    owner_path, name, is_key = split
    try:
        owner = id_block.path_resolve(owner_path) if owner_path else id_block
    except ValueError:
        raise bad_params(op_name, f"param 'data_path': '{owner_path}' does not exist on '{obj.name}'") from None
    if is_key:
        if not hasattr(owner, "keys") or name not in owner.keys():
            raise bad_params(op_name, f"param 'data_path': no custom property '{name}' on '{obj.name}'")
        value = owner[name]
        length = len(value) if hasattr(value, "__len__") and not isinstance(value, str) else 0
        if not (length or _is_number(value) or isinstance(value, bool)):
            raise bad_params(op_name, f"custom property '{name}' holds {type(value).__name__}, not a number")
        return Target(id_block, prefix, path, owner, name, True, length, False, False)
    prop = owner.bl_rna.properties.get(name) if hasattr(owner, "bl_rna") else None
    if prop is None:
        raise bad_params(op_name, f"param 'data_path': '{data_path}' is no property of '{obj.name}' "
                                  f"(e.g. {_COMMON_PATHS})")
    if prop.type not in _KEYABLE_TYPES or not prop.is_animatable or prop.is_readonly:
        raise bad_params(op_name, f"param 'data_path': '{data_path}' is a {prop.type} property that cannot "
                                  "be keyframed (numbers and booleans can)")
    return Target(id_block, prefix, path, owner, name, False, prop.array_length, is_angle(prop.subtype, prop.unit),
                  prop.type == "BOOLEAN")


def set_value(op_name, target, value, index):
    """Set the property to `value` (degrees for an angle), all items or the one at `index`."""
    if target.length and index is None:
        if not isinstance(value, list) or len(value) != target.length:
            raise bad_params(op_name, f"param 'value' must be an array of {target.length} numbers for "
                                      f"'{target.prefix}{target.path}' (or give 'index'), got {value!r}")
    elif isinstance(value, list):
        raise bad_params(op_name, f"param 'value' must be one number for '{target.prefix}{target.path}'"
                                  f"{'' if index is None else f' index {index}'}, got an array")
    stored = to_radians(value) if target.angle else value
    if target.boolean:
        stored = [bool(x) for x in stored] if isinstance(stored, list) else bool(stored)
    try:
        if target.is_key:
            if index is None:
                target.owner[target.name] = stored
            else:
                target.owner[target.name][index] = stored
        elif index is None:
            setattr(target.owner, target.name, stored)
        else:
            getattr(target.owner, target.name)[index] = stored
    except (TypeError, ValueError, AttributeError) as exc:
        raise bad_params(op_name, f"'{target.prefix}{target.path}' refused value {value!r}: {exc}") from None


def check_index(op_name, target, index):
    if index is None:
        return
    if not target.length:
        raise bad_params(op_name, f"param 'index' applies to array properties; '{target.prefix}{target.path}' is one value")
    if not 0 <= index < target.length:
        raise bad_params(op_name, f"param 'index' must be between 0 and {target.length - 1} for "
                                  f"'{target.prefix}{target.path}', got {index}")


def fcurve_is_angle(id_block, fcurve):
    """Whether this F-curve's property is an angle (its values reported in degrees)."""
    split = split_data_path(fcurve.data_path)
    if split is None or split[2]:
        return False
    try:
        owner = id_block.path_resolve(split[0]) if split[0] else id_block
        prop = owner.bl_rna.properties.get(split[1])
    except (ValueError, AttributeError):
        return False
    return bool(prop) and is_angle(prop.subtype, prop.unit)


def describe_fcurve(prefix, id_block, fcurve):
    angle = fcurve_is_angle(id_block, fcurve)
    points = fcurve.keyframe_points
    values = [point.co[1] for point in points]
    return {
        "data_path": prefix + fcurve.data_path,
        "index": fcurve.array_index,
        "frames": [point.co[0] for point in points],
        "values": to_degrees(values) if angle else values,
        "unit": "degrees" if angle else "stored",
        "interpolation": [point.interpolation for point in points],
        "easing": [point.easing for point in points],
    }


def no_keys_error(op_name, obj, data_path=None):
    listed = sorted({prefix + fc.data_path for prefix, _, fc in object_fcurves(obj)})
    what = f" on '{data_path}'" if data_path else ""
    have = ", ".join(listed) or "none"
    return OpError("not_found", f"{op_name}: object '{obj.name}' has no keyframes{what} (animated paths: {have})")


def set_points_interpolation(fcurve, interpolation, easing=None, frames=None):
    """Set interpolation (and easing) on the keys at `frames` (all if None); count them."""
    count = 0
    for point in fcurve.keyframe_points:
        if frames is not None and not any(frames_match(point.co[0], f) for f in frames):
            continue
        point.interpolation = interpolation
        if easing is not None:
            point.easing = easing
        count += 1
    fcurve.update()
    return count
