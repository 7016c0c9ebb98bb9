"""Render the scene to an image file (Workbench or Eevee), headless or in the GUI.

Every render setting touched is put back afterwards, and a camera added to
frame the scene is removed again, so a render never dirties the session.
"""

import os

import bpy

from .camera_framing import add_framing_camera, remove_camera
from .registry import OpError

FILE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "bmp": "BMP", "tiff": "TIFF"}


def engine_id(engine):
    """Blender's identifier for 'workbench' / 'eevee' in this version.

    Eevee is BLENDER_EEVEE up to 4.1, BLENDER_EEVEE_NEXT in 4.2-4.5 and
    BLENDER_EEVEE again from 5.0; ask the enum instead of the version.
    """
    if engine == "workbench":
        return "BLENDER_WORKBENCH"
    items = {item.identifier for item in bpy.types.RenderSettings.bl_rna.properties["engine"].enum_items}
    for candidate in ("BLENDER_EEVEE_NEXT", "BLENDER_EEVEE"):
        if candidate in items:
            return candidate
    raise OpError("not_supported", f"this Blender has no Eevee render engine (engines: {', '.join(sorted(items))})")


def render_to_file(scene, filepath, width, height, engine="workbench", file_format="PNG", camera=None, view=None):
    """Render one still to `filepath`. `camera` is a camera object to use;
    `view` (or a scene without a camera) adds a temporary framing camera."""
    with _RestoredRenderSettings(scene):
        temporary = None
        if camera is not None:
            scene.camera = camera
        elif view is not None or scene.camera is None:
            temporary = add_framing_camera(scene, view or "iso", width, height)
            scene.camera = temporary
        try:
            render = scene.render
            render.engine = engine_id(engine)
            render.resolution_x = width
            render.resolution_y = height
            render.resolution_percentage = 100
            render.image_settings.file_format = file_format
            # Write exactly to filepath: no added extension or frame number.
            render.use_file_extension = False
            render.filepath = filepath
            bpy.ops.render.render(write_still=True, scene=scene.name)
        finally:
            if temporary is not None:
                remove_camera(temporary)
    if not os.path.isfile(filepath):
        raise OpError("command_failed", f"Blender wrote no image to '{filepath}'")


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
