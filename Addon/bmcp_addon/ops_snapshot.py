"""scene.snapshot: the whole scene as state.json holds it (log-writer asks for one after
each burst of mutating commands): every object with type, transform, dimensions, world
bounds, parent, collection, materials and modifiers, what an architecture tool made it
(`arch`, arch_tags.py) and whether it is the template's untouched camera or sun; the materials; units; counts."""

import bpy

from .arch_tags import facts
from .clean_start import template_default
from .object_facts import placement
from .ops_common import current_scene, registry, update_view_layer, vector

# Beyond this many objects the snapshot lists the first ones by name and says so, so a huge
# scene never produces a state.json too large for the bus.
MAX_OBJECTS = 10_000


def _base_color(material):
    if material.use_nodes and material.node_tree is not None:
        for node in material.node_tree.nodes:
            if node.type == "BSDF_PRINCIPLED":
                return vector(node.inputs["Base Color"].default_value)
    return vector(material.diffuse_color)


def _object_entry(obj):
    entry = placement(obj)
    entry["collection"] = obj.users_collection[0].name if obj.users_collection else None
    if obj.type == "MESH" and obj.data is not None:
        entry["vertices"] = len(obj.data.vertices)
        entry["polygons"] = len(obj.data.polygons)
    # What an architecture tool made it (design.md's building), and whether it is the
    # template's untouched camera or sun (which design.md leaves out).
    record = facts(obj)
    if record is not None:
        entry["arch"] = record
    if template_default(obj):
        entry["template_default"] = True
    return entry


@registry.op("scene.snapshot")
def scene_snapshot(ctx):
    scene = current_scene()
    update_view_layer()
    ordered = sorted(scene.objects, key=lambda obj: obj.name)
    used_materials = {slot.material.name for obj in ordered for slot in obj.material_slots if slot.material}
    units = scene.unit_settings
    by_type = {}
    for obj in ordered:
        by_type[obj.type] = by_type.get(obj.type, 0) + 1
    return {
        "name": scene.name,
        "object_count": len(ordered),
        "unit_system": units.system,
        "units": {"system": units.system, "scale_length": float(units.scale_length), "length_unit": units.length_unit},
        "counts": {"objects": len(ordered), "by_type": by_type, "materials": len(bpy.data.materials),
                   "collections": len(bpy.data.collections)},
        "objects": [_object_entry(obj) for obj in ordered[:MAX_OBJECTS]],
        "truncated": len(ordered) > MAX_OBJECTS,
        "materials": [{"name": material.name, "base_color": _base_color(material)}
                      for material in sorted(bpy.data.materials, key=lambda m: m.name) if material.name in used_materials],
        "collections": sorted(collection.name for collection in bpy.data.collections),
        "frame_current": int(scene.frame_current),
    }
