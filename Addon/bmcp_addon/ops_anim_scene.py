"""The scene's timeline (frame range, current frame, frame rate), evaluation at a frame, and
two whole animations in one call: a turntable and following a curve."""

import math

import bpy

from .animation_compat import FRAME_MAX, FRAME_MIN, SCENE_FRAME_MIN, fps_pair, turntable_angles
from .ops_anim_common import object_fcurves, set_points_interpolation
from .ops_common import changed, current_scene, find_object, find_object_of_type, registry, vector
from .registry import BOOLEAN, INTEGER, NAME, NUMBER, OpError, Param, bad_params, one_of

_SCENE_FRAME = dict(minimum=SCENE_FRAME_MIN, maximum=FRAME_MAX)
_CHANGED = {"type": "object", "description": "Names of what was created, modified, removed"}
_AXES = {"X": 0, "Y": 1, "Z": 2}
_FORWARD = ("FORWARD_X", "FORWARD_Y", "FORWARD_Z", "TRACK_NEGATIVE_X", "TRACK_NEGATIVE_Y", "TRACK_NEGATIVE_Z")
_TIMELINE = {
    "scene": {"type": "string"}, "frame_start": {"type": "integer"}, "frame_end": {"type": "integer"},
    "frame_current": {"type": "integer"}, "fps": {"type": "number", "description": "Effective frames per second"},
}


def _timeline(scene):
    return {"scene": scene.name, "frame_start": scene.frame_start, "frame_end": scene.frame_end,
            "frame_current": scene.frame_current, "fps": scene.render.fps / scene.render.fps_base}


def _check_range(op_name, start, end, start_name="start", end_name="end"):
    if end <= start:
        raise bad_params(op_name, f"param '{end_name}' ({end}) must be after '{start_name}' ({start})")


@registry.tool(
    "set_frame_range",
    "Set the scene's animation frame range (the frames played and rendered).",
    toolset="animation",
    idempotent=True,
    output={**_TIMELINE, "changed": _CHANGED},
)
@registry.mutating_op(
    "anim.frame_range",
    start=Param(INTEGER, **_SCENE_FRAME, about="First frame"),
    end=Param(INTEGER, **_SCENE_FRAME, about="Last frame (at least start)"),
)
def frame_range(ctx, start, end):
    if end < start:
        raise bad_params("anim.frame_range", f"param 'end' ({end}) must be at least 'start' ({start})")
    scene = current_scene()
    # Set in the order that never makes start > end midway (Blender would push the other).
    if start > scene.frame_end:
        scene.frame_end, scene.frame_start = end, start
    else:
        scene.frame_start, scene.frame_end = start, end
    return {**_timeline(scene), "changed": changed(modified=[scene.name])}


@registry.tool(
    "set_current_frame",
    "Go to a frame: the scene is evaluated there (animated objects move to their pose at that frame).",
    toolset="animation",
    idempotent=True,
    output={**_TIMELINE, "changed": _CHANGED},
)
@registry.mutating_op("anim.frame_set", frame=Param(INTEGER, minimum=FRAME_MIN, maximum=FRAME_MAX, about="The frame"))
def frame_set(ctx, frame):
    scene = current_scene()
    scene.frame_set(frame)
    return {**_timeline(scene), "changed": changed(modified=[scene.name])}


@registry.tool(
    "set_fps",
    "Set the scene's frame rate in frames per second (24, 25, 30, 60, or NTSC rates such as 29.97).",
    toolset="animation",
    idempotent=True,
    output={**_TIMELINE, "fps_base": {"type": "number"}, "changed": _CHANGED},
)
@registry.mutating_op("anim.fps", fps=Param(NUMBER, minimum=1.0, maximum=1000.0, about="Frames per second"))
def set_fps(ctx, fps):
    scene = current_scene()
    whole, base = fps_pair(fps)
    scene.render.fps, scene.render.fps_base = whole, base
    return {**_timeline(scene), "fps_base": scene.render.fps_base, "changed": changed(modified=[scene.name])}


@registry.tool(
    "get_timeline",
    "The scene's frame range, current frame, frame rate and which objects are animated.",
    toolset="animation",
    output={**_TIMELINE, "animated_objects": {"type": "array", "items": {"type": "string"}}},
)
@registry.op("anim.timeline")
def timeline(ctx):
    scene = current_scene()
    animated = sorted(obj.name for obj in scene.objects if object_fcurves(obj))
    return {**_timeline(scene), "animated_objects": animated}


@registry.tool(
    "evaluate_at_frame",
    "Where an object is at a frame (world location, rotation in degrees, scale), with its animation, "
    "constraints and parents applied; the current frame is left as it was.",
    toolset="animation",
    output={"object": {"type": "string"}, "frame": {"type": "integer"},
            "location": {"type": "array", "items": {"type": "number"}},
            "rotation": {"type": "array", "items": {"type": "number"}, "description": "World rotation XYZ, degrees"},
            "scale": {"type": "array", "items": {"type": "number"}}},
)
@registry.op(
    "anim.evaluate",
    object=Param(NAME, about="The object"),
    frame=Param(INTEGER, minimum=FRAME_MIN, maximum=FRAME_MAX, about="The frame to evaluate"),
)
def evaluate(ctx, object, frame):
    obj = find_object(object)
    scene = current_scene()
    before = scene.frame_current
    try:
        scene.frame_set(frame)
        location, rotation, scale = obj.matrix_world.decompose()
        result = {"object": obj.name, "frame": frame, "location": vector(location),
                  "rotation": [math.degrees(a) for a in rotation.to_euler("XYZ")], "scale": vector(scale)}
    finally:
        scene.frame_set(before)
    return result


@registry.tool(
    "animate_turntable",
    "Spin an object a full turn (or several) about an axis over a frame range at constant speed.",
    toolset="animation",
    output={"object": {"type": "string"}, "start_degrees": {"type": "number"}, "end_degrees": {"type": "number"},
            "changed": _CHANGED},
)
@registry.mutating_op(
    "anim.turntable",
    object=Param(NAME, about="The object to spin"),
    start_frame=Param(INTEGER, 1, **_SCENE_FRAME, about="Frame of the start angle"),
    end_frame=Param(INTEGER, 250, **_SCENE_FRAME, about="Frame where the turn(s) complete"),
    axis=Param(one_of("X", "Y", "Z"), "Z", about="Axis to spin about (local Euler channel)"),
    turns=Param(NUMBER, 1.0, minimum=-100.0, maximum=100.0, about="Full turns (negative = clockwise)"),
)
def turntable(ctx, object, start_frame, end_frame, axis, turns):
    _check_range("anim.turntable", start_frame, end_frame, "start_frame", "end_frame")
    if turns == 0:
        raise bad_params("anim.turntable", "param 'turns' must not be 0")
    obj = find_object(object)
    if obj.rotation_mode in ("QUATERNION", "AXIS_ANGLE"):
        raise bad_params("anim.turntable", f"object '{obj.name}' uses rotation mode {obj.rotation_mode}; "
                                           "a turntable keys rotation_euler (set an Euler mode first)")
    channel = _AXES[axis]
    first, last = turntable_angles(obj.rotation_euler[channel], turns)
    for frame, angle in ((start_frame, first), (end_frame, last)):
        obj.rotation_euler[channel] = angle
        obj.keyframe_insert("rotation_euler", index=channel, frame=frame)
    obj.rotation_euler[channel] = first
    for _, _, fcurve in object_fcurves(obj, "rotation_euler"):
        if fcurve.array_index == channel:
            set_points_interpolation(fcurve, "LINEAR", frames=[start_frame, end_frame])
    return {"object": obj.name, "start_degrees": math.degrees(first), "end_degrees": math.degrees(last),
            "changed": changed(modified=[obj.name])}


@registry.tool(
    "add_follow_path",
    "Make an object travel along a curve object over a frame range: a Follow Path constraint whose "
    "position along the curve is keyed from 0 at start_frame to 1 at end_frame.",
    toolset="animation",
    output={"object": {"type": "string"}, "constraint": {"type": "string"}, "curve": {"type": "string"},
            "changed": _CHANGED},
)
@registry.mutating_op(
    "anim.follow_path",
    object=Param(NAME, about="The object to move"),
    curve=Param(NAME, about="The curve object to follow"),
    start_frame=Param(INTEGER, 1, **_SCENE_FRAME, about="Frame where it is at the curve's start"),
    end_frame=Param(INTEGER, 250, **_SCENE_FRAME, about="Frame where it reaches the curve's end"),
    follow=Param(BOOLEAN, True, about="Turn the object to face along the curve"),
    forward_axis=Param(one_of(*_FORWARD), "FORWARD_Y", about="Object axis that points along the curve (with follow)"),
    linear=Param(BOOLEAN, True, about="Constant speed (else ease in and out)"),
    clear_location=Param(BOOLEAN, True, about="Zero the object's own location, which the constraint adds as an offset"),
)
def follow_path(ctx, object, curve, start_frame, end_frame, follow, forward_axis, linear, clear_location):
    _check_range("anim.follow_path", start_frame, end_frame, "start_frame", "end_frame")
    obj = find_object(object)
    path = find_object_of_type(curve, "anim.follow_path", ("CURVE",), "a CURVE object", "curve")
    if path == obj:
        raise bad_params("anim.follow_path", "param 'curve' must be another object than 'object'")
    path.data.use_path = True
    constraint = obj.constraints.new("FOLLOW_PATH")
    constraint.target = path
    constraint.use_curve_follow = follow
    constraint.forward_axis = forward_axis
    # Fixed position: the offset factor (0..1 along the curve) is keyed, independent of the
    # curve's own path_duration / eval_time animation.
    constraint.use_fixed_location = True
    data_path = f'constraints["{bpy.utils.escape_identifier(constraint.name)}"].offset_factor'
    for frame, factor in ((start_frame, 0.0), (end_frame, 1.0)):
        constraint.offset_factor = factor
        obj.keyframe_insert(data_path, frame=frame)
    if clear_location:
        obj.location = (0.0, 0.0, 0.0)
    for _, _, fcurve in object_fcurves(obj, data_path):
        set_points_interpolation(fcurve, "LINEAR" if linear else "BEZIER", frames=[start_frame, end_frame])
    if not constraint.is_valid:
        raise OpError("command_failed", f"anim.follow_path: the constraint on '{obj.name}' is not valid")
    return {"object": obj.name, "constraint": constraint.name, "curve": path.name,
            "changed": changed(modified=[obj.name, path.name])}
