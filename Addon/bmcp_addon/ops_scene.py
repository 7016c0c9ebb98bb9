"""scene.info (paged object listing), scene.snapshot (the whole scene, for a session's
state.json and design document) and addon.health."""

import time

import bpy

from .object_facts import euler_rotation, is_visible, world_bounding_box
from .ops_common import current_scene, registry, update_view_layer, vector
from .protocol import ADDON_VERSION
from .registry import INTEGER, STRING, Param, strings_from

SCENE_FIELDS = ("name", "type", "location", "rotation", "scale", "dimensions", "parent", "collection", "visible")
DEFAULT_FIELDS = ["name", "type", "location"]
MAX_PAGE = 1000
# A snapshot lists at most this many objects (a larger scene is marked truncated).
MAX_SNAPSHOT_OBJECTS = 10_000


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


@registry.op(
    "scene.info",
    cursor=Param(STRING, None),
    limit=Param(INTEGER, 100, minimum=1, maximum=MAX_PAGE),
    fields=Param(strings_from(*SCENE_FIELDS), None),
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


@registry.op("scene.snapshot")
def scene_snapshot(ctx):
    """Every object with its transform, real size, world bounds, collection and materials,
    and every material's base colour: what log-writer keeps as state.json after a change
    and builds design.md from. Read-only."""
    scene = current_scene()
    update_view_layer()
    ordered = sorted(scene.objects, key=lambda obj: obj.name)
    objects = []
    for obj in ordered[:MAX_SNAPSHOT_OBJECTS]:
        objects.append({
            "name": obj.name,
            "type": obj.type,
            "location": vector(obj.location),
            "rotation": euler_rotation(obj),
            "scale": vector(obj.scale),
            "dimensions": vector(obj.dimensions),
            "world_bounding_box": world_bounding_box(obj),
            "parent": obj.parent.name if obj.parent else None,
            "collection": obj.users_collection[0].name if obj.users_collection else None,
            "materials": [slot.material.name for slot in obj.material_slots if slot.material],
            "visible": is_visible(obj),
        })
    materials = [{"name": material.name, "base_color": vector(material.diffuse_color)}
                 for material in sorted(bpy.data.materials, key=lambda material: material.name)]
    return {
        "name": scene.name,
        "object_count": len(ordered),
        "objects": objects,
        "truncated": len(ordered) > MAX_SNAPSHOT_OBJECTS,
        "materials": materials,
        "collections": sorted(collection.name for collection in bpy.data.collections),
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
