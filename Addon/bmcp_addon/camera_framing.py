"""A temporary camera that frames every object from a named direction."""

import math

import bpy
from mathutils import Vector

from .object_facts import is_visible, world_corners

# Direction from the scene's centre towards the camera.
VIEW_DIRECTIONS = {
    "front": Vector((0.0, -1.0, 0.0)),
    "right": Vector((1.0, 0.0, 0.0)),
    "top": Vector((0.0, 0.0, 1.0)),
    "iso": Vector((1.0, -1.0, 0.8)).normalized(),
}
TEMP_CAMERA_NAME = "bmcp_framing_camera"


def scene_bounds(scene):
    """Centre and bounding-sphere radius of everything but cameras and lights."""
    corners = [
        corner
        for obj in scene.objects
        if obj.type not in {"CAMERA", "LIGHT"} and is_visible(obj)
        for corner in world_corners(obj)
    ]
    if not corners:
        return Vector((0.0, 0.0, 0.0)), 1.0
    low = Vector(tuple(min(c[i] for c in corners) for i in range(3)))
    high = Vector(tuple(max(c[i] for c in corners) for i in range(3)))
    return (low + high) / 2.0, max((high - low).length / 2.0, 0.1)


def add_framing_camera(scene, view, width, height):
    """Link a camera looking at all objects from `view`; remove it with remove_camera()."""
    bpy.context.view_layer.update()  # matrix_world of recent edits
    centre, radius = scene_bounds(scene)
    camera_data = bpy.data.cameras.new(TEMP_CAMERA_NAME)
    camera = bpy.data.objects.new(TEMP_CAMERA_NAME, camera_data)
    scene.collection.objects.link(camera)
    # With sensor_fit AUTO the sensor width spans the larger image side; the
    # smaller side sees a proportionally narrower angle.
    wide = 2.0 * math.atan(camera_data.sensor_width / 2.0 / camera_data.lens)
    narrow = 2.0 * math.atan(math.tan(wide / 2.0) * min(width, height) / max(width, height))
    distance = radius / math.sin(narrow / 2.0) * 1.05
    direction = VIEW_DIRECTIONS[view]
    camera.location = centre + direction * distance
    if view == "top":
        camera.rotation_euler = (0.0, 0.0, 0.0)  # straight down, +Y up in the image
    else:
        camera.rotation_euler = (-direction).to_track_quat("-Z", "Y").to_euler()
    camera_data.clip_start = max(0.001, min(camera_data.clip_start, distance - radius * 1.5))
    camera_data.clip_end = max(camera_data.clip_end, distance + radius * 2.0)
    return camera


def remove_camera(camera):
    camera_data = camera.data
    bpy.data.objects.remove(camera, do_unlink=True)
    if camera_data.users == 0:
        bpy.data.cameras.remove(camera_data)
