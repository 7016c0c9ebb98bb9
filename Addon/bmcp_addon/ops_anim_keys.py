"""Keyframes on an object's properties: insert, delete, list, interpolation, shift, clear.

Paths are relative to the object ("location", "data.energy", 'modifiers["Bevel"].width');
angles (rotation_euler…) are degrees on the wire and radians in Blender.
"""

from .animation_compat import EASINGS, FRAME_MAX, FRAME_MIN, INTERPOLATIONS, easing_applies, frames_match, to_degrees
from .ops_anim_common import (
    VALUE, action_fcurves, animated_ids, check_index, describe_fcurve, no_keys_error, object_fcurves,
    resolve_target, set_points_interpolation, set_value,
)
from .ops_common import changed, find_object, registry
from .registry import BOOLEAN, INTEGER, NAME, NUMBER, OpError, Param, array_of, bad_params, one_of

FRAME = dict(minimum=FRAME_MIN, maximum=FRAME_MAX)
_FCURVE_OUT = {
    "type": "array",
    "items": {"type": "object", "properties": {
        "data_path": {"type": "string"}, "index": {"type": "integer"},
        "frames": {"type": "array", "items": {"type": "number"}},
        "values": {"type": "array", "items": {"type": "number"}},
        "unit": {"type": "string", "description": "degrees (angles) or stored"},
        "interpolation": {"type": "array", "items": {"type": "string"}},
        "easing": {"type": "array", "items": {"type": "string"}},
    }},
}
_CHANGED = {"type": "object", "description": "Names of what was created, modified, removed"}


def _keys_at(target, frame, index):
    """The keyed values at `frame` on the target's F-curves (degrees for an angle)."""
    found = {}
    for fcurve in action_fcurves(target.id_block) or ():
        if fcurve.data_path != target.path or (index is not None and fcurve.array_index != index):
            continue
        for point in fcurve.keyframe_points:
            if frames_match(point.co[0], frame):
                found[fcurve.array_index] = to_degrees(point.co[1]) if target.angle else point.co[1]
    return [found[i] for i in sorted(found)]


@registry.tool(
    "insert_keyframe",
    "Insert a keyframe on an object property at a frame: location, rotation_euler (degrees), scale, "
    "or any animatable path such as data.energy or modifiers[\"Bevel\"].width. Without a value the "
    "current value is keyed.",
    toolset="animation",
    idempotent=True,
    output={"object": {"type": "string"}, "data_path": {"type": "string"}, "frame": {"type": "number"},
            "values": {"type": "array", "items": {"type": "number"}, "description": "Keyed values (degrees for angles)"},
            "changed": _CHANGED},
)
@registry.mutating_op(
    "anim.key_insert",
    object=Param(NAME, about="The object to animate"),
    data_path=Param(NAME, about="Property path relative to the object, e.g. location, rotation_euler, scale, data.energy, [\"custom\"]"),
    frame=Param(NUMBER, **FRAME, about="Frame of the keyframe"),
    value=Param(VALUE, None, about="Value to key (degrees for rotations); an array for all items of a vector property, one number with 'index'. Default: the current value"),
    index=Param(INTEGER, None, minimum=0, maximum=63, about="Array item to key (0 = x); default: every item"),
)
def key_insert(ctx, object, data_path, frame, value, index):
    obj = find_object(object)
    target = resolve_target("anim.key_insert", obj, data_path)
    check_index("anim.key_insert", target, index)
    if value is not None:
        set_value("anim.key_insert", target, value, index)
    try:
        inserted = target.id_block.keyframe_insert(target.path, index=-1 if index is None else index, frame=frame)
    except (TypeError, RuntimeError) as exc:
        raise bad_params("anim.key_insert", f"cannot key '{data_path}' on '{obj.name}': {exc}") from None
    if not inserted:
        raise OpError("command_failed", f"anim.key_insert: Blender inserted no keyframe on '{data_path}' of '{obj.name}'")
    return {"object": obj.name, "data_path": data_path, "frame": frame, "values": _keys_at(target, frame, index),
            "changed": changed(modified=[obj.name])}


@registry.tool(
    "delete_keyframe",
    "Delete an object's keyframes at one frame on one property (every array item, or one index).",
    toolset="animation",
    destructive=True,
    output={"object": {"type": "string"}, "removed": {"type": "integer", "description": "Keyframes removed"},
            "changed": _CHANGED},
)
@registry.mutating_op(
    "anim.key_delete",
    object=Param(NAME, about="The animated object"),
    data_path=Param(NAME, about="Property path as given to insert_keyframe, e.g. location"),
    frame=Param(NUMBER, **FRAME, about="Frame of the keyframe to delete"),
    index=Param(INTEGER, None, minimum=0, maximum=63, about="Only this array item; default: every item"),
)
def key_delete(ctx, object, data_path, frame, index):
    obj = find_object(object)
    curves = [c for c in object_fcurves(obj, data_path) if index is None or c[2].array_index == index]
    if not curves:
        raise no_keys_error("anim.key_delete", obj, data_path)
    removed = 0
    for _, id_block, fcurve in curves:
        for point in [p for p in fcurve.keyframe_points if frames_match(p.co[0], frame)]:
            fcurve.keyframe_points.remove(point)
            removed += 1
        if len(fcurve.keyframe_points) == 0:
            action_fcurves(id_block).remove(fcurve)
    if not removed:
        frames = sorted({p.co[0] for _, _, c in curves for p in c.keyframe_points})
        raise OpError("not_found", f"anim.key_delete: '{data_path}' of '{obj.name}' has no keyframe at frame "
                                   f"{frame:g} (keyed frames: {', '.join(f'{f:g}' for f in frames)})")
    return {"object": obj.name, "removed": removed, "changed": changed(modified=[obj.name])}


@registry.tool(
    "list_keyframes",
    "List an object's animation per F-curve (its own, its data's and its shape keys'): data path, "
    "array index, keyed frames, values (degrees for angles) and interpolation.",
    toolset="animation",
    output={"object": {"type": "string"}, "fcurves": _FCURVE_OUT, "count": {"type": "integer", "description": "Keyframes in all"}},
)
@registry.op(
    "anim.key_list",
    object=Param(NAME, about="The object"),
    data_path=Param(NAME, None, about="Only this property path (default: all)"),
)
def key_list(ctx, object, data_path):
    obj = find_object(object)
    described = [describe_fcurve(*entry) for entry in object_fcurves(obj, data_path)]
    return {"object": obj.name, "fcurves": described, "count": sum(len(c["frames"]) for c in described)}


@registry.tool(
    "set_keyframe_interpolation",
    "Set how an object's animation moves between keyframes: CONSTANT (steps), LINEAR, BEZIER (smooth) "
    "or an easing curve (SINE … ELASTIC with EASE_IN/EASE_OUT/EASE_IN_OUT).",
    toolset="animation",
    idempotent=True,
    output={"object": {"type": "string"}, "keyframes": {"type": "integer", "description": "Keyframes changed"},
            "changed": _CHANGED},
)
@registry.mutating_op(
    "anim.key_interpolation",
    object=Param(NAME, about="The animated object"),
    interpolation=Param(one_of(*INTERPOLATIONS), about="Interpolation from each keyframe to the next"),
    easing=Param(one_of(*EASINGS), None, about="Easing of SINE…ELASTIC interpolations (default: unchanged)"),
    data_path=Param(NAME, None, about="Only this property path (default: all)"),
    frames=Param(array_of(NUMBER, 1, 10000), None, about="Only keyframes at these frames (default: all)"),
)
def key_interpolation(ctx, object, interpolation, easing, data_path, frames):
    if easing is not None and not easing_applies(interpolation):
        raise bad_params("anim.key_interpolation", f"param 'easing' applies to {', '.join(INTERPOLATIONS[3:])}, "
                                                   f"not to interpolation '{interpolation}'")
    obj = find_object(object)
    curves = object_fcurves(obj, data_path)
    if not curves:
        raise no_keys_error("anim.key_interpolation", obj, data_path)
    count = sum(set_points_interpolation(fc, interpolation, easing, frames) for _, _, fc in curves)
    if not count:
        raise OpError("not_found", f"anim.key_interpolation: '{obj.name}' has no keyframe at frames {frames}")
    return {"object": obj.name, "keyframes": count, "changed": changed(modified=[obj.name])}


@registry.tool(
    "clear_animation",
    "Remove all keyframes of an object (and of its data and shape keys unless include_data is false).",
    toolset="animation",
    destructive=True,
    idempotent=True,
    output={"object": {"type": "string"}, "fcurves_removed": {"type": "integer"}, "changed": _CHANGED},
)
@registry.mutating_op(
    "anim.clear",
    object=Param(NAME, about="The object"),
    include_data=Param(BOOLEAN, True, about="Also clear its data's (light, camera, mesh) and shape keys' animation"),
)
def anim_clear(ctx, object, include_data):
    obj = find_object(object)
    removed = 0
    for prefix, id_block in animated_ids(obj):
        if prefix and not include_data:
            continue
        removed += len(action_fcurves(id_block) or ())
        if getattr(id_block, "animation_data", None) is not None:
            id_block.animation_data_clear()
    return {"object": obj.name, "fcurves_removed": removed, "changed": changed(modified=[obj.name])}


@registry.tool(
    "shift_keyframes",
    "Move an object's keyframes in time by a number of frames (all, one property's, or those from a frame on).",
    toolset="animation",
    output={"object": {"type": "string"}, "keyframes": {"type": "integer", "description": "Keyframes moved"},
            "changed": _CHANGED},
)
@registry.mutating_op(
    "anim.key_shift",
    object=Param(NAME, about="The animated object"),
    offset=Param(NUMBER, minimum=-FRAME_MAX, maximum=FRAME_MAX, about="Frames to move by (negative = earlier)"),
    data_path=Param(NAME, None, about="Only this property path (default: all)"),
    from_frame=Param(NUMBER, None, **FRAME, about="Only keyframes at or after this frame (default: all)"),
)
def key_shift(ctx, object, offset, data_path, from_frame):
    obj = find_object(object)
    curves = object_fcurves(obj, data_path)
    if not curves:
        raise no_keys_error("anim.key_shift", obj, data_path)
    moved = 0
    for _, _, fcurve in curves:
        for point in fcurve.keyframe_points:
            if from_frame is not None and point.co[0] < from_frame - 1e-3:
                continue
            point.co[0] += offset
            point.handle_left[0] += offset
            point.handle_right[0] += offset
            moved += 1
        fcurve.update()  # keeps the keys sorted by frame
    return {"object": obj.name, "keyframes": moved, "changed": changed(modified=[obj.name])}
