"""The ops the addon offers, each one small function registered by name.

Every op runs on Blender's main thread and receives an OpContext first,
then its validated params as keyword arguments. It returns a JSON-ready dict
or raises OpError for expected failures; anything else becomes command_failed.
"""

import contextlib
import io
import time
import traceback
from dataclasses import dataclass

import bpy

from . import screenshot
from .protocol import ADDON_VERSION
from .registry import INTEGER, STRING, OpError, OpRegistry, Param
from .settings import code_execution_allowed

registry = OpRegistry()


@dataclass
class OpContext:
    mode: str  # "headless" | "gui"
    blender_version: str
    started_at: float  # time.monotonic() when serving started
    connection_count: object  # callable() -> int


def blender_version():
    # bpy.app.version_string carries suffixes like " LTS" in some releases.
    return ".".join(str(part) for part in bpy.app.version)


def _vector(values):
    return [float(value) for value in values]


def _current_scene():
    return bpy.context.scene


def find_object(name):
    scene = _current_scene()
    obj = scene.objects.get(name)
    if obj is None:
        raise OpError("not_found", f"no object named '{name}' in scene '{scene.name}'")
    return obj


def _is_visible(obj):
    try:
        return bool(obj.visible_get())
    except (RuntimeError, TypeError):
        # visible_get needs a view layer; fall back to the plain hide flags.
        return not (obj.hide_get() or obj.hide_viewport)


def _euler_rotation(obj):
    if obj.rotation_mode == "QUATERNION":
        return _vector(obj.rotation_quaternion.to_euler("XYZ"))
    if obj.rotation_mode == "AXIS_ANGLE":
        # Keep the import local: mathutils is only needed for this rare mode.
        from mathutils import Quaternion

        angle, *axis = obj.rotation_axis_angle
        return _vector(Quaternion(axis, angle).to_euler("XYZ"))
    return _vector(obj.rotation_euler)


@registry.op("scene.info")
def scene_info(ctx):
    scene = _current_scene()
    objects = [
        {"name": obj.name, "type": obj.type, "location": _vector(obj.location)}
        for obj in scene.objects
    ]
    return {
        "name": scene.name,
        "object_count": len(objects),
        "objects": objects,
        "materials_count": len(bpy.data.materials),
        "frame_current": int(scene.frame_current),
        "unit_system": scene.unit_settings.system,
    }


@registry.op("object.info", name=Param(STRING))
def object_info(ctx, name):
    obj = find_object(name)
    info = {
        "name": obj.name,
        "type": obj.type,
        "location": _vector(obj.location),
        "rotation": _euler_rotation(obj),
        "scale": _vector(obj.scale),
        "dimensions": _vector(obj.dimensions),
        "visible": _is_visible(obj),
        "parent": obj.parent.name if obj.parent else None,
        "collections": [collection.name for collection in obj.users_collection],
        "materials": [slot.material.name for slot in obj.material_slots if slot.material],
        "modifiers": [modifier.name for modifier in obj.modifiers],
    }
    if obj.type == "MESH" and obj.data is not None:
        mesh = obj.data
        info["mesh"] = {
            "vertices": len(mesh.vertices),
            "edges": len(mesh.edges),
            "polygons": len(mesh.polygons),
        }
    return info


@registry.op("code.execute", code=Param(STRING))
def code_execute(ctx, code):
    if not code_execution_allowed():
        raise OpError("code_disabled", "code execution is disabled on this addon (BMCP_ALLOW_CODE=0)")
    import mathutils

    namespace = {"__name__": "__bmcp_code__", "bpy": bpy, "mathutils": mathutils}
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        compiled = compile(code, "<code.execute>", "exec")
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            exec(compiled, namespace)
    except (Exception, SystemExit) as exc:
        # SystemExit too: a script calling sys.exit() must not stop the server.
        raise OpError(
            "code_failed",
            f"{type(exc).__name__}: {exc}",
            traceback=_user_traceback(exc),
            stdout=stdout.getvalue(),
            stderr=stderr.getvalue(),
        ) from None
    return {"executed": True, "result": stdout.getvalue(), "stderr": stderr.getvalue()}


def _user_traceback(exc):
    """The traceback from the user's code down, without this module's frame."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


@registry.op(
    "render.preview",
    filepath=Param(STRING),
    max_size=Param(INTEGER, 800),
    format=Param(STRING, "png"),
)
def render_preview(ctx, filepath, max_size, format):
    return screenshot.render_preview(_current_scene(), filepath, max_size, format)


@registry.op("addon.health")
def addon_health(ctx):
    return {
        "blender_version": ctx.blender_version,
        "addon_version": ADDON_VERSION,
        "mode": ctx.mode,
        "connections": ctx.connection_count(),
        "uptime_s": round(time.monotonic() - ctx.started_at, 3),
    }
