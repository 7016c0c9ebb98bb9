"""light.three_point: key, fill and rim lights around a target object, each aimed at it, in a
collection of their own (toolset camera_light)."""

import bpy
from mathutils import Vector

from .camera_light_common import bounds_centre
from .camera_light_compat import three_point_offsets
from .object_facts import world_corners
from .ops_common import changed, current_scene, find_object, registry, update_view_layer
from .ops_light_setup import light_facts, new_light
from .registry import NAME, NUMBER, OpError, Param, one_of


@registry.tool(
    "create_three_point_lighting",
    "Light an object with a key, fill and rim light (area lights by default), each aimed at it, in a new collection; distance and powers follow the object's size unless given.",
    toolset="camera_light",
    output={"collection": {"type": "string"}, "lights": {"type": "array", "items": {"type": "object"}}},
)
@registry.mutating_op(
    "light.three_point",
    target=Param(NAME, about="The object to light"),
    collection=Param(NAME, "Three Point Lights", about="Name of the new collection holding the lights (must be unused)"),
    light_type=Param(one_of("AREA", "SPOT", "POINT"), "AREA", about="Kind of light for all three"),
    distance=Param(NUMBER, None, minimum=0.1, maximum=10000.0, about="Distance of each light from the target, m (default: 3x its size, at least 3 m)"),
    key_energy=Param(NUMBER, None, minimum=0.0, maximum=1e7, about="Key light power, W (default: 100 W per m² of distance², at least 500)"),
    fill_ratio=Param(NUMBER, 0.4, minimum=0.0, maximum=1.0, about="Fill power as a share of the key's"),
    rim_ratio=Param(NUMBER, 0.7, minimum=0.0, maximum=2.0, about="Rim power as a share of the key's"),
)
def light_three_point(ctx, target, collection, light_type, distance, key_energy, fill_ratio, rim_ratio):
    subject = find_object(target)
    if bpy.data.collections.get(collection) is not None:
        raise OpError("already_exists", f"light.three_point: a collection named '{collection}' already exists")
    names = {role: f"{collection} {role}" for role in ("Key", "Fill", "Rim")}
    taken = [name for name in names.values() if bpy.data.objects.get(name) is not None]
    if taken:
        raise OpError("already_exists", f"light.three_point: an object named '{taken[0]}' already exists")
    update_view_layer()
    centre = bounds_centre(subject)
    corners = world_corners(subject)
    size = max((corner - centre).length for corner in corners) * 2.0 if corners else 1.0
    if distance is None:
        distance = max(3.0, size * 3.0)
    if key_energy is None:
        # Falloff is with distance²: keep the key about as bright on the subject at any scale.
        key_energy = max(500.0, 100.0 * distance * distance)
    energies = {"Key": key_energy, "Fill": key_energy * fill_ratio, "Rim": key_energy * rim_ratio}
    scene = current_scene()
    home = bpy.data.collections.new(collection)
    scene.collection.children.link(home)
    made = []
    try:
        for role, offset in three_point_offsets(distance, max(distance * 0.6, size)).items():
            area = {"size": max(1.0, size)} if light_type == "AREA" else {}
            obj, _ = new_light("light.three_point", names[role], light_type, centre + Vector(offset), home.name,
                               centre, energy=energies[role], **area)
            made.append(obj)
    except Exception:
        for obj in made:
            light = obj.data
            bpy.data.objects.remove(obj, do_unlink=True)
            bpy.data.lights.remove(light)
        bpy.data.collections.remove(home)
        raise
    update_view_layer()
    return {"collection": home.name, "lights": [dict(light_facts(obj), role=role) for role, obj in zip(names, made)],
            "changed": changed(created=[home.name] + [obj.name for obj in made], modified=[scene.collection.name])}
