"""Read-only facts about one object: rotation, visibility, world bounds, mesh stats."""

from mathutils import Quaternion, Vector

from .ops_common import vector

# Object types whose bound_box describes real geometry; the others (empties,
# lights, cameras...) are reported as a point at their world position.
_GEOMETRY_TYPES = frozenset(
    {"MESH", "CURVE", "SURFACE", "META", "FONT", "VOLUME", "GPENCIL", "GREASEPENCIL",
     "CURVES", "POINTCLOUD", "LATTICE", "ARMATURE"}
)


def is_visible(obj):
    try:
        return bool(obj.visible_get())
    except (RuntimeError, TypeError):
        # visible_get needs a view layer; fall back to the plain hide flags.
        return not (obj.hide_get() or obj.hide_viewport)


def euler_rotation(obj):
    if obj.rotation_mode == "QUATERNION":
        return vector(obj.rotation_quaternion.to_euler("XYZ"))
    if obj.rotation_mode == "AXIS_ANGLE":
        angle, *axis = obj.rotation_axis_angle
        return vector(Quaternion(axis, angle).to_euler("XYZ"))
    return vector(obj.rotation_euler)


def world_corners(obj):
    """The 8 bound_box corners in world space (one point for non-geometry types)."""
    if obj.type not in _GEOMETRY_TYPES:
        return [obj.matrix_world.translation.copy()]
    return [obj.matrix_world @ Vector(corner) for corner in obj.bound_box]


def world_bounding_box(obj):
    corners = world_corners(obj)
    return {
        "min": [min(corner[axis] for corner in corners) for axis in range(3)],
        "max": [max(corner[axis] for corner in corners) for axis in range(3)],
    }


def mesh_stats(mesh):
    return {
        "vertices": len(mesh.vertices),
        "edges": len(mesh.edges),
        "polygons": len(mesh.polygons),
        # A polygon with n corners triangulates into n - 2 triangles.
        "triangles": sum(polygon.loop_total - 2 for polygon in mesh.polygons),
    }


def placement(obj):
    """Name, type, transform and real size: what object.info and scene.snapshot share."""
    return {
        "name": obj.name,
        "type": obj.type,
        "location": vector(obj.location),
        "rotation": euler_rotation(obj),
        "scale": vector(obj.scale),
        "dimensions": vector(obj.dimensions),
        "visible": is_visible(obj),
        "parent": obj.parent.name if obj.parent else None,
        "materials": [slot.material.name for slot in obj.material_slots if slot.material],
        "modifiers": [{"name": modifier.name, "type": modifier.type} for modifier in obj.modifiers],
        "world_bounding_box": world_bounding_box(obj),
    }


def object_facts(obj):
    """Everything object.info reports. The caller updates the view layer first."""
    info = {
        **placement(obj),
        "children": sorted(child.name for child in obj.children),
        "collections": [collection.name for collection in obj.users_collection],
    }
    if obj.type == "MESH" and obj.data is not None:
        info["mesh"] = mesh_stats(obj.data)
    if obj.type == "LIGHT" and obj.data is not None:
        info["light"] = {"type": obj.data.type, "energy": float(obj.data.energy), "color": vector(obj.data.color)}
    if obj.type == "CAMERA" and obj.data is not None:
        info["camera"] = {"lens": float(obj.data.lens), "type": obj.data.type}
    return info
