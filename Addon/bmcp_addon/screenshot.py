"""A quick Workbench render of the scene to an image file.

Stands in for V1's viewport screenshot: it works headless (no viewport
exists there) and in the GUI alike. Every render setting it touches is put
back afterwards, and a camera it had to add is removed again.
"""

import math
import os

import bpy
from mathutils import Vector

from .registry import OpError

FILE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "bmp": "BMP", "tiff": "TIFF"}
# Direction from the scene's centre towards a camera we add: a 3/4 view from above.
_VIEW_DIRECTION = Vector((1.0, -1.0, 0.8)).normalized()


def render_preview(scene, filepath, max_size, image_format):
    file_format = FILE_FORMATS.get(image_format.lower())
    if file_format is None:
        raise OpError(
            "bad_params",
            f"render.preview: format must be one of {', '.join(sorted(FILE_FORMATS))}, got '{image_format}'",
        )
    if max_size < 1:
        raise OpError("bad_params", f"render.preview: max_size must be at least 1, got {max_size}")
    filepath = os.path.abspath(bpy.path.abspath(filepath))
    directory = os.path.dirname(filepath)
    if not os.path.isdir(directory):
        raise OpError("not_found", f"render.preview: directory '{directory}' does not exist")

    width, height = _capped_resolution(scene.render, max_size)
    with _RestoredRenderSettings(scene):
        temporary_camera = None
        if scene.camera is None:
            temporary_camera = _add_camera_framing_everything(scene)
            scene.camera = temporary_camera
        try:
            render = scene.render
            render.engine = "BLENDER_WORKBENCH"
            render.resolution_x = width
            render.resolution_y = height
            render.resolution_percentage = 100
            render.image_settings.file_format = file_format
            # Write exactly to filepath: no added extension or frame number.
            render.use_file_extension = False
            render.filepath = filepath
            bpy.ops.render.render(write_still=True, scene=scene.name)
        finally:
            if temporary_camera is not None:
                _remove_camera(temporary_camera)
    if not os.path.isfile(filepath):
        raise OpError("command_failed", f"render.preview: Blender wrote no image to '{filepath}'")
    return {"success": True, "width": width, "height": height, "filepath": filepath}


def _capped_resolution(render, max_size):
    width = render.resolution_x * render.resolution_percentage / 100.0
    height = render.resolution_y * render.resolution_percentage / 100.0
    scale = min(1.0, max_size / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


class _RestoredRenderSettings:
    _RENDER_FIELDS = (
        "engine",
        "resolution_x",
        "resolution_y",
        "resolution_percentage",
        "use_file_extension",
        "filepath",
    )

    def __init__(self, scene):
        self.scene = scene

    def __enter__(self):
        render = self.scene.render
        self.saved = {name: getattr(render, name) for name in self._RENDER_FIELDS}
        self.saved_format = render.image_settings.file_format
        self.saved_camera = self.scene.camera
        return self

    def __exit__(self, *exc_info):
        render = self.scene.render
        for name, value in self.saved.items():
            setattr(render, name, value)
        render.image_settings.file_format = self.saved_format
        # The saved camera may be None; a temporary camera is already gone by now.
        self.scene.camera = self.saved_camera
        return False


def _scene_bounds(scene):
    corners = [
        obj.matrix_world @ Vector(corner)
        for obj in scene.objects
        if obj.type not in {"CAMERA", "LIGHT"}
        for corner in obj.bound_box
    ]
    if not corners:
        return Vector((0.0, 0.0, 0.0)), 1.0
    low = Vector(tuple(min(c[i] for c in corners) for i in range(3)))
    high = Vector(tuple(max(c[i] for c in corners) for i in range(3)))
    return (low + high) / 2.0, max((high - low).length / 2.0, 0.1)


def _add_camera_framing_everything(scene):
    camera_data = bpy.data.cameras.new("bmcp_preview_camera")
    camera = bpy.data.objects.new("bmcp_preview_camera", camera_data)
    scene.collection.objects.link(camera)
    centre, radius = _scene_bounds(scene)
    # Distance at which a sphere of `radius` fits the narrower field of view.
    half_angle = min(camera_data.angle_x, camera_data.angle_y) / 2.0
    distance = radius / math.sin(half_angle) * 1.1
    camera.location = centre + _VIEW_DIRECTION * distance
    camera.rotation_euler = (-_VIEW_DIRECTION).to_track_quat("-Z", "Y").to_euler()
    camera_data.clip_end = max(camera_data.clip_end, distance + radius * 2.0)
    return camera


def _remove_camera(camera):
    camera_data = camera.data
    bpy.data.objects.remove(camera, do_unlink=True)
    if camera_data.users == 0:
        bpy.data.cameras.remove(camera_data)
