"""Pictures of the scene: render.image (base64 PNG), render.preview (a file,
V1's screenshot), render.viewport (the GUI's 3D view)."""

import base64
import contextlib
import os
import tempfile

import bpy

from . import viewport
from .ops_common import current_scene, find_object, registry
from .registry import INTEGER, NAME, STRING, OpError, Param, bad_params, one_of
from .render_still import FILE_FORMATS, render_to_file

MAX_IMAGE_SIDE = 2048
VIEWS = ("front", "top", "right", "iso")


@contextlib.contextmanager
def _temporary_file(suffix):
    """A path for Blender to write to, removed afterwards whatever happens."""
    handle, path = tempfile.mkstemp(prefix="bmcp-", suffix=suffix)
    os.close(handle)
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def _png_result(path, width, height):
    with open(path, "rb") as image:
        data = base64.b64encode(image.read()).decode("ascii")
    return {"format": "png", "width": width, "height": height, "base64": data}


@registry.op(
    "render.image",
    width=Param(INTEGER, 800, minimum=1, maximum=MAX_IMAGE_SIDE),
    height=Param(INTEGER, 600, minimum=1, maximum=MAX_IMAGE_SIDE),
    engine=Param(one_of("workbench", "eevee"), "workbench"),
    camera=Param(NAME, None),
    view=Param(one_of(*VIEWS), None),
)
def render_image(ctx, width, height, engine, camera, view):
    """Without camera and view: the scene camera, or an "iso" framing camera
    when the scene has none. `view` always frames all objects from that side."""
    if camera is not None and view is not None:
        raise bad_params("render.image", "give either 'camera' or 'view', not both")
    camera_object = None
    if camera is not None:
        camera_object = find_object(camera)
        if camera_object.type != "CAMERA":
            raise bad_params("render.image", f"param 'camera' must name a camera; '{camera}' is a {camera_object.type}")
    with _temporary_file(".png") as path:
        render_to_file(current_scene(), path, width, height, engine, "PNG", camera_object, view)
        return _png_result(path, width, height)


@registry.op(
    "render.preview",
    filepath=Param(STRING),
    max_size=Param(INTEGER, 800, minimum=1, maximum=8192),
    format=Param(STRING, "png"),
)
def render_preview(ctx, filepath, max_size, format):
    """A Workbench render to `filepath` at the scene's aspect ratio (V1's screenshot)."""
    file_format = _file_format("render.preview", format)
    filepath = _writable_path("render.preview", filepath)
    scene = current_scene()
    width, height = _capped_resolution(scene.render, max_size)
    render_to_file(scene, filepath, width, height, "workbench", file_format)
    return {"success": True, "width": width, "height": height, "filepath": filepath}


def _capped_resolution(render, max_size):
    width = render.resolution_x * render.resolution_percentage / 100.0
    height = render.resolution_y * render.resolution_percentage / 100.0
    scale = min(1.0, max_size / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


@registry.op(
    "render.viewport",
    max_size=Param(INTEGER, 800, minimum=1, maximum=MAX_IMAGE_SIDE),
    filepath=Param(STRING, None),
    format=Param(STRING, "png"),
)
def render_viewport(ctx, max_size, filepath, format):
    """The GUI's 3D view as base64 PNG, or written to `filepath` in `format`
    (what V1's get_viewport_screenshot does)."""
    if filepath is None:
        with _temporary_file(".png") as path:
            width, height = viewport.screenshot_view3d(path, max_size)
            return _png_result(path, width, height)
    file_format = _file_format("render.viewport", format)
    filepath = _writable_path("render.viewport", filepath)
    width, height = viewport.screenshot_view3d(filepath, max_size, file_format)
    return {"format": format.lower(), "width": width, "height": height, "filepath": filepath}


def _file_format(op_name, format):
    file_format = FILE_FORMATS.get(format.lower())
    if file_format is None:
        raise bad_params(op_name, f"format must be one of {', '.join(sorted(FILE_FORMATS))}, got '{format}'")
    return file_format


def _writable_path(op_name, filepath):
    filepath = os.path.abspath(bpy.path.abspath(filepath))
    directory = os.path.dirname(filepath)
    if not os.path.isdir(directory):
        raise OpError("not_found", f"{op_name}: directory '{directory}' does not exist")
    return filepath
