"""Screenshots of the GUI's 3D viewport (what the user sees, OpenGL-drawn)."""

import bpy

from .registry import OpError


def find_view3d():
    """(window, area, region) of the largest 3D view, or None."""
    best = None
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type != "VIEW_3D":
                continue
            region = next((r for r in area.regions if r.type == "WINDOW"), None)
            if region is not None and (best is None or area.width * area.height > best[1].width * best[1].height):
                best = (window, area, region)
    return best


def screenshot_view3d(filepath, max_size, file_format="PNG"):
    """Write the 3D view to `filepath`, scaled so its longer side is at most
    max_size; return (width, height)."""
    if bpy.app.background:
        raise OpError(
            "not_available_headless",
            "Blender runs headless (no window, no viewport); use render.image for a picture of the scene",
        )
    found = find_view3d()
    if found is None:
        raise OpError("no_viewport", "no 3D viewport is open in this Blender; open one or use render.image")
    window, area, region = found
    with bpy.context.temp_override(window=window, screen=window.screen, area=area, region=region):
        bpy.ops.screen.screenshot_area(filepath=filepath)
    return _fit(filepath, max_size, file_format)


def _fit(filepath, max_size, file_format):
    image = bpy.data.images.load(filepath, check_existing=False)
    try:
        width, height = image.size
        scale = min(1.0, max_size / max(width, height))
        if scale < 1.0 or file_format != "PNG":
            width, height = max(1, round(width * scale)), max(1, round(height * scale))
            image.scale(width, height)
            image.filepath_raw = filepath
            image.file_format = file_format
            image.save()
        return width, height
    finally:
        bpy.data.images.remove(image)

