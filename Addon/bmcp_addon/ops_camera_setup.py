"""Cameras: create one, aim any object's view at a target, lens and depth of field, the
scene's active camera, and the list of cameras (toolset camera_light)."""

import math

import bpy

from .camera_light_common import (
    aim, find_camera, forward, target_collection, target_point, track_to, unique_new_name,
)
from .ops_common import changed, current_scene, find_object, registry, update_view_layer, vector
from .registry import BOOLEAN, NAME, NUMBER, VECTOR3, Param, bad_params, one_of

VEC3 = {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3}
CAMERA_TYPES = ("PERSP", "ORTHO", "PANO")


def camera_facts(obj, scene):
    data = obj.data
    dof = data.dof
    return {
        "name": obj.name,
        "type": data.type,
        "lens": data.lens,
        "ortho_scale": data.ortho_scale,
        "sensor_width": data.sensor_width,
        "clip_start": data.clip_start,
        "clip_end": data.clip_end,
        "location": vector(obj.matrix_world.translation),
        "forward": vector(forward(obj)),
        "active": scene.camera == obj,
        "depth_of_field": {
            "enabled": dof.use_dof,
            "focus_object": dof.focus_object.name if dof.focus_object else None,
            "focus_distance": dof.focus_distance,
            "fstop": dof.aperture_fstop,
        },
    }


@registry.tool(
    "create_camera",
    "Add a camera at a location, aimed at a point or an object, with a focal length; by default it becomes the scene's active camera.",
    toolset="camera_light",
    output={"name": {"type": "string"}, "forward": VEC3, "lens": {"type": "number"}, "active": {"type": "boolean"}},
)
@registry.mutating_op(
    "camera.create",
    name=Param(NAME, about="The new camera object's name (must be unused)"),
    location=Param(VECTOR3, [7.0, -7.0, 5.0], about="Location [x, y, z], m"),
    target=Param(VECTOR3, None, about="World point [x, y, z] to look at, m (default: the origin unless target_object)"),
    target_object=Param(NAME, None, about="Object whose bounding-box centre to look at"),
    lens=Param(NUMBER, 50.0, minimum=1.0, maximum=5000.0, about="Focal length, mm"),
    make_active=Param(BOOLEAN, True, about="Make it the scene's active (render) camera"),
    collection=Param(NAME, None, about="Collection to put it in (default: the active one)"),
)
def camera_create(ctx, name, location, target, target_object, lens, make_active, collection):
    unique_new_name(name, "camera.create")
    point = target_point("camera.create", target, target_object, required=False)
    if point is None:
        point = [0.0, 0.0, 0.0]
    home = target_collection(collection)
    data = bpy.data.cameras.new(name)
    data.lens = lens
    obj = bpy.data.objects.new(name, data)
    home.objects.link(obj)
    obj.location = location
    try:
        direction = aim(obj, point, "camera.create")
    except Exception:
        bpy.data.objects.remove(obj, do_unlink=True)
        bpy.data.cameras.remove(data)
        raise
    scene = current_scene()
    if make_active:
        scene.camera = obj
    return {
        "name": obj.name, "forward": vector(direction), "lens": data.lens, "active": scene.camera == obj,
        "changed": changed(created=[obj.name], modified=[home.name] + ([scene.name] if make_active else [])),
    }


@registry.tool(
    "aim_camera_at",
    "Rotate a camera, light or any object so it looks (its -Z axis) at a point or an object; optionally keep it aimed with a Track To constraint.",
    toolset="camera_light",
    idempotent=True,
    output={"name": {"type": "string"}, "forward": VEC3, "constraint": {"type": ["string", "null"]}},
)
@registry.mutating_op(
    "camera.aim",
    object=Param(NAME, about="The camera, light or object to turn"),
    target=Param(VECTOR3, None, about="World point [x, y, z] to look at, m"),
    target_object=Param(NAME, None, about="Object to look at (its bounding-box centre)"),
    track=Param(BOOLEAN, False, about="Also add a Track To constraint following target_object"),
)
def camera_aim(ctx, object, target, target_object, track):
    obj = find_object(object)
    point = target_point("camera.aim", target, target_object)
    if track and target_object is None:
        raise bad_params("camera.aim", "param 'track' needs 'target_object' (a constraint follows an object, not a point)")
    if target_object == object:
        raise bad_params("camera.aim", f"param 'target_object' must be another object than '{object}'")
    direction = aim(obj, point, "camera.aim")
    constraint = track_to(obj, find_object(target_object)) if track else None
    return {"name": obj.name, "forward": vector(direction), "constraint": constraint,
            "changed": changed(modified=[obj.name])}


@registry.tool(
    "set_camera_lens",
    "Set a camera's projection (perspective, orthographic, panoramic), focal length, orthographic scale, sensor width and clipping.",
    toolset="camera_light",
    idempotent=True,
    output={"name": {"type": "string"}, "type": {"type": "string"}, "lens": {"type": "number"},
            "ortho_scale": {"type": "number"}},
)
@registry.mutating_op(
    "camera.lens",
    camera=Param(NAME, about="The camera object"),
    lens=Param(NUMBER, None, minimum=1.0, maximum=5000.0, about="Focal length, mm"),
    type=Param(one_of(*CAMERA_TYPES), None, about="Projection: PERSP, ORTHO or PANO"),
    ortho_scale=Param(NUMBER, None, minimum=0.001, maximum=100000.0, about="Orthographic view width, m"),
    sensor_width=Param(NUMBER, None, minimum=1.0, maximum=200.0, about="Sensor width, mm"),
    clip_start=Param(NUMBER, None, minimum=0.0001, maximum=100000.0, about="Near clipping distance, m"),
    clip_end=Param(NUMBER, None, minimum=0.001, maximum=1000000.0, about="Far clipping distance, m"),
)
def camera_lens(ctx, camera, lens, type, ortho_scale, sensor_width, clip_start, clip_end):
    obj = find_camera(camera, "camera.lens")
    data = obj.data
    start = data.clip_start if clip_start is None else clip_start
    end = data.clip_end if clip_end is None else clip_end
    if start >= end:
        raise bad_params("camera.lens", f"clip_start ({start}) must be less than clip_end ({end})")
    for prop, value in (("lens", lens), ("type", type), ("ortho_scale", ortho_scale),
                        ("sensor_width", sensor_width), ("clip_start", clip_start), ("clip_end", clip_end)):
        if value is not None:
            setattr(data, prop, value)
    return {"name": obj.name, "type": data.type, "lens": data.lens, "ortho_scale": data.ortho_scale,
            "changed": changed(modified=[obj.name, data.name])}


@registry.tool(
    "set_depth_of_field",
    "Turn a camera's depth of field on or off, focused on an object or at a distance, with an f-stop.",
    toolset="camera_light",
    idempotent=True,
    output={"name": {"type": "string"}, "enabled": {"type": "boolean"}, "focus_object": {"type": ["string", "null"]},
            "focus_distance": {"type": "number"}, "fstop": {"type": "number"}},
)
@registry.mutating_op(
    "camera.dof",
    camera=Param(NAME, about="The camera object"),
    enabled=Param(BOOLEAN, True, about="Depth of field on (false turns it off)"),
    focus_object=Param(NAME, None, about="Object to keep in focus"),
    focus_distance=Param(NUMBER, None, minimum=0.0, maximum=100000.0, about="Focus distance when no focus object, m"),
    fstop=Param(NUMBER, None, minimum=0.01, maximum=128.0, about="Aperture f-stop (smaller: shallower focus)"),
)
def camera_dof(ctx, camera, enabled, focus_object, focus_distance, fstop):
    obj = find_camera(camera, "camera.dof")
    if focus_object is not None and focus_distance is not None:
        raise bad_params("camera.dof", "give either 'focus_object' or 'focus_distance', not both")
    focus = find_object(focus_object) if focus_object is not None else None
    if focus == obj:
        raise bad_params("camera.dof", "param 'focus_object' must be another object than the camera")
    dof = obj.data.dof
    dof.use_dof = enabled
    if focus is not None:
        dof.focus_object = focus
    if focus_distance is not None:
        dof.focus_object = None
        dof.focus_distance = focus_distance
    if fstop is not None:
        dof.aperture_fstop = fstop
    return {"name": obj.name, "enabled": dof.use_dof,
            "focus_object": dof.focus_object.name if dof.focus_object else None,
            "focus_distance": dof.focus_distance, "fstop": dof.aperture_fstop,
            "changed": changed(modified=[obj.name, obj.data.name])}


@registry.tool(
    "set_active_camera",
    "Make a camera the scene's active camera, the one renders look through.",
    toolset="camera_light",
    idempotent=True,
    output={"camera": {"type": "string"}, "previous": {"type": ["string", "null"]}},
)
@registry.mutating_op("camera.set_active", camera=Param(NAME, about="The camera object"))
def camera_set_active(ctx, camera):
    obj = find_camera(camera, "camera.set_active")
    scene = current_scene()
    previous = scene.camera.name if scene.camera else None
    scene.camera = obj
    return {"camera": obj.name, "previous": previous, "changed": changed(modified=[scene.name])}


@registry.tool(
    "list_cameras",
    "List the scene's cameras: projection, focal length, where each looks, depth of field, and which is active.",
    toolset="camera_light",
    output={"cameras": {"type": "array", "items": {"type": "object"}}, "active": {"type": ["string", "null"]}},
)
@registry.op("camera.list")
def camera_list(ctx):
    scene = current_scene()
    update_view_layer()
    cameras = sorted((obj for obj in scene.objects if obj.type == "CAMERA"), key=lambda obj: obj.name)
    return {"cameras": [camera_facts(obj, scene) for obj in cameras],
            "active": scene.camera.name if scene.camera else None}


def field_of_view(data, width, height):
    """Horizontal and vertical view angles (radians) of a perspective camera at this image size,
    with sensor_fit AUTO (the sensor spans the larger image side)."""
    wide = 2.0 * math.atan(data.sensor_width / 2.0 / data.lens)
    narrow = 2.0 * math.atan(math.tan(wide / 2.0) * min(width, height) / max(width, height))
    return (wide, narrow) if width >= height else (narrow, wide)
