"""Pictures of the scene: render.image (base64 PNG), render.preview (a file,
V1's screenshot), render.viewport (the GUI's 3D view).

Files go under the files root only, like file.*, and are readable by their
owner only (private_files).
"""

import base64
import contextlib
import os
import tempfile

from . import viewport
from .file_paths import writable_under_root
from .ops_common import current_scene, find_object_of_type, registry
from .private_files import blender_writes, private_umask, read_nofollow
from .registry import INTEGER, NAME, STRING, Param, bad_params, one_of
from .render_still import FILE_FORMATS, render_to_file
from .settings import files_root

MAX_IMAGE_SIDE = 2048
VIEWS = ("front", "top", "right", "iso")


@contextlib.contextmanager
def _temporary_file(suffix):
    """A path for Blender to write to, in a fresh 0700 folder (nobody else can plant or
    read a file there), removed afterwards whatever happens."""
    with tempfile.TemporaryDirectory(prefix="bmcp-render-") as folder, private_umask():
        yield os.path.join(folder, "image" + suffix)


def _png_result(path, width, height):
    data, _ = read_nofollow(path)
    return {"format": "png", "width": width, "height": height, "base64": base64.b64encode(data).decode("ascii")}


@registry.tool(
    "render_image",
    "Render the scene to a PNG image (Workbench or Eevee; works headless) from the scene camera, a named camera, "
    "or a view that frames every object. Give camera or view, not both.",
    toolset="core",
    output=False,
)
@registry.op(
    "render.image",
    width=Param(INTEGER, 800, minimum=1, maximum=MAX_IMAGE_SIDE, about="Image width, pixels"),
    height=Param(INTEGER, 600, minimum=1, maximum=MAX_IMAGE_SIDE, about="Image height, pixels"),
    engine=Param(one_of("workbench", "eevee"), "workbench", about="Render engine"),
    camera=Param(NAME, None, about="A camera object to render from (default: the scene camera)"),
    view=Param(one_of(*VIEWS), None, about="Frame all objects from this side instead of using a camera"),
)
def render_image(ctx, width, height, engine, camera, view):
    """Without camera and view: the scene camera, or an "iso" framing camera
    when the scene has none. `view` always frames all objects from that side."""
    if camera is not None and view is not None:
        raise bad_params("render.image", "give either 'camera' or 'view', not both")
    camera_object = None
    if camera is not None:
        camera_object = find_object_of_type(camera, "render.image", ("CAMERA",), "a camera", "camera")
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
    filepath = writable_under_root(filepath, files_root(), "render.preview")
    scene = current_scene()
    width, height = _capped_resolution(scene.render, max_size)
    blender_writes(filepath, lambda temporary: render_to_file(scene, temporary, width, height, "workbench", file_format))
    return {"success": True, "width": width, "height": height, "filepath": filepath}


def _capped_resolution(render, max_size):
    width = render.resolution_x * render.resolution_percentage / 100.0
    height = render.resolution_y * render.resolution_percentage / 100.0
    scale = min(1.0, max_size / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


@registry.tool(
    "get_viewport_screenshot",
    "A screenshot of Blender's 3D viewport (GUI Blender only; headless Blender answers with how to use "
    "render_image instead), or written to filepath under the addon's files root.",
    toolset="core",
    output=False,
)
@registry.op(
    "render.viewport",
    max_size=Param(INTEGER, 800, minimum=1, maximum=MAX_IMAGE_SIDE, about="Longest side, pixels"),
    filepath=Param(STRING, None, about="Write the image to this path under the files root instead of answering it"),
    format=Param(one_of(*sorted(FILE_FORMATS)), "png", about="Image format of the file at filepath"),
)
def render_viewport(ctx, max_size, filepath, format):
    """The GUI's 3D view as base64 PNG, or written to `filepath` in `format`
    (what V1's get_viewport_screenshot does)."""
    if filepath is None:
        with _temporary_file(".png") as path:
            width, height = viewport.screenshot_view3d(path, max_size)
            return _png_result(path, width, height)
    file_format = _file_format("render.viewport", format)
    filepath = writable_under_root(filepath, files_root(), "render.viewport")
    width, height = blender_writes(
        filepath, lambda temporary: viewport.screenshot_view3d(temporary, max_size, file_format)
    )
    return {"format": format.lower(), "width": width, "height": height, "filepath": filepath}


def _file_format(op_name, format):
    file_format = FILE_FORMATS.get(format.lower())
    if file_format is None:
        raise bad_params(op_name, f"format must be one of {', '.join(sorted(FILE_FORMATS))}, got '{format}'")
    return file_format

