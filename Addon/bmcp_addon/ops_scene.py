"""scene.info (paged object listing) and addon.health."""

import time

import bpy

from .object_facts import euler_rotation, is_visible
from .ops_common import current_scene, registry, update_view_layer, vector
from .protocol import ADDON_VERSION
from .registry import INTEGER, Kind, Param, strings_from

SCENE_FIELDS = ("name", "type", "location", "rotation", "scale", "dimensions", "parent", "collection", "visible")
DEFAULT_FIELDS = ["name", "type", "location"]
MAX_PAGE = 1000

# A cursor is the last object name of the page before (see scene_info), so it is what Blender
# allows a name to be: 1 to 63 bytes. Anything else cannot have come from next_cursor.
CURSOR = Kind(
    "a next_cursor from an earlier page (an object name, 1 to 63 bytes)",
    lambda v: isinstance(v, str) and 0 < len(v.encode("utf-8")) <= 63,
    schema={"type": "string", "minLength": 1, "maxLength": 63},
)


def _object_fields(obj):
    """Field name -> function(obj) for the scene.info `fields` param."""
    return {
        "name": lambda: obj.name,
        "type": lambda: obj.type,
        "location": lambda: vector(obj.location),
        "rotation": lambda: euler_rotation(obj),
        "scale": lambda: vector(obj.scale),
        "dimensions": lambda: vector(obj.dimensions),
        "parent": lambda: obj.parent.name if obj.parent else None,
        "collection": lambda: obj.users_collection[0].name if obj.users_collection else None,
        "visible": lambda: is_visible(obj),
    }


@registry.tool(
    "get_scene_info",
    "Get the current Blender scene: its objects (sorted by name, a page at a time, with the fields asked for), "
    "the object and material counts, the current frame and the unit system. Pass next_cursor back as cursor "
    "for the next page.",
    toolset="core",
    output={
        "name": {"type": "string", "description": "The scene's name"},
        "object_count": {"type": "integer"},
        "total": {"type": "integer", "description": "Objects in the scene (all pages)"},
        "objects": {"type": "array", "items": {"type": "object"}},
        "next_cursor": {"type": ["string", "null"], "description": "Cursor of the next page; null on the last"},
        "materials_count": {"type": "integer"},
        "frame_current": {"type": "integer"},
        "unit_system": {"type": "string"},
    },
)
@registry.op(
    "scene.info",
    cursor=Param(CURSOR, None, about="Where to go on: the next_cursor of the page before (omit for the first page)"),
    limit=Param(INTEGER, 100, minimum=1, maximum=MAX_PAGE, about="Most objects on one page"),
    fields=Param(strings_from(*SCENE_FIELDS), None,
                 about="Which fields each object has (default: name, type, location); rotation in radians"),
)
def scene_info(ctx, cursor, limit, fields):
    """Objects sorted by name; the cursor is the last name of the previous page,
    so deleting or adding objects between pages never repeats or skips others."""
    scene = current_scene()
    fields = fields or DEFAULT_FIELDS
    if "dimensions" in fields:
        update_view_layer()
    ordered = sorted(scene.objects, key=lambda obj: obj.name)
    if cursor is not None:
        ordered = [obj for obj in ordered if obj.name > cursor]
    page = ordered[:limit]
    objects = []
    for obj in page:
        getters = _object_fields(obj)
        objects.append({field: getters[field]() for field in fields})
    more = len(ordered) > limit
    return {
        "name": scene.name,
        "object_count": len(scene.objects),
        "total": len(scene.objects),
        "objects": objects,
        "next_cursor": page[-1].name if more else None,
        "materials_count": len(bpy.data.materials),
        "frame_current": int(scene.frame_current),
        "unit_system": scene.unit_settings.system,
    }


@registry.op("addon.health")
def addon_health(ctx):
    return {
        "blender_version": ctx.blender_version,
        "addon_version": ADDON_VERSION,
        "mode": ctx.mode,
        "connections": ctx.connection_count(),
        "uptime_s": round(time.monotonic() - ctx.started_at, 3),
    }
