"""object.info and object.create."""

import bpy

from .object_facts import object_facts
from .ops_common import changed, find_collection, find_object, registry, update_view_layer
from .primitives import MESH_KINDS, build_mesh
from .registry import NAME, NUMBER, VECTOR3, Param, bad_params, one_of

OBJECT_KINDS = MESH_KINDS + ("empty", "light", "camera")
LIGHT_TYPES = ("POINT", "SUN", "SPOT", "AREA")

# Which of the optional shape params each kind understands; any other one is
# refused so a typo'd intent (a "radius" for a cube) does not pass silently.
_SHAPE_PARAMS = {
    "cube": {"size"},
    "plane": {"size"},
    "monkey": {"size"},
    "uv_sphere": {"radius"},
    "ico_sphere": {"radius"},
    "circle": {"radius"},
    "cylinder": {"radius", "depth"},
    "cone": {"radius", "depth"},
    "torus": {"radius", "minor_radius"},
    "empty": {"size"},
    "light": {"light_type", "energy", "radius"},
    "camera": set(),
}


@registry.tool(
    "get_object_info",
    "Get detailed information about one object in the Blender scene: transform, dimensions, materials, modifiers and mesh statistics.",
    toolset="core",
    rename={"object_name": "name"},
    about={"name": "The object's name"},
    output={
        "name": {"type": "string"},
        "type": {"type": "string", "description": "MESH, CURVE, EMPTY, LIGHT, CAMERA, …"},
        "location": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3},
        "dimensions": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3},
    },
)
@registry.op("object.info", name=Param(NAME))
def object_info(ctx, name):
    obj = find_object(name)
    update_view_layer()
    return object_facts(obj)


@registry.tool(
    "create_object",
    "Add a mesh primitive, empty, light or camera (lengths in metres, rotation in radians).",
    toolset="core",
    output={"name": {"type": "string", "description": "The new object's name"}, "type": {"type": "string"}},
)
@registry.mutating_op(
    "object.create",
    type=Param(one_of(*OBJECT_KINDS), about="What to add"),
    name=Param(NAME, None, about="Object name (default: after its type)"),
    location=Param(VECTOR3, [0.0, 0.0, 0.0], about="Location [x, y, z], m"),
    rotation=Param(VECTOR3, [0.0, 0.0, 0.0], about="Rotation [x, y, z] in radians (XYZ Euler), as get_object_info reports it"),
    scale=Param(VECTOR3, [1.0, 1.0, 1.0], about="Scale [x, y, z]"),
    size=Param(NUMBER, None, minimum=0.0, about="Size of a cube, plane, monkey or empty, m"),
    radius=Param(NUMBER, None, minimum=0.0, about="Radius of a sphere, circle, cylinder, cone, torus or light, m"),
    depth=Param(NUMBER, None, minimum=0.0, about="Depth of a cylinder or cone, m"),
    minor_radius=Param(NUMBER, None, minimum=0.0, about="Tube radius of a torus, m"),
    light_type=Param(one_of(*LIGHT_TYPES), None, about="Kind of light (type light only)"),
    energy=Param(NUMBER, None, minimum=0.0, about="Light power, W"),
    collection=Param(NAME, None, about="Collection to put it in (default: the active one)"),
)
def object_create(ctx, type, name, location, rotation, scale, collection, **shape):
    given = {key for key, value in shape.items() if value is not None}
    not_applicable = sorted(given - _SHAPE_PARAMS[type])
    if not_applicable:
        raise bad_params("object.create", f"param '{not_applicable[0]}' does not apply to type '{type}'")
    # Resolve the collection before creating anything, so not_found leaves no orphan.
    target = find_collection(collection) if collection else _active_collection()
    obj = bpy.data.objects.new(name or _default_name(type), _object_data(type, name, shape))
    if type == "empty":
        obj.empty_display_size = shape["size"] if shape["size"] is not None else 1.0
    obj.location = location
    obj.rotation_euler = rotation
    obj.scale = scale
    target.objects.link(obj)
    return {"name": obj.name, "type": obj.type, "changed": changed(created=[obj.name], modified=[target.name])}


def _default_name(kind):
    return {"uv_sphere": "Sphere", "ico_sphere": "Icosphere", "monkey": "Suzanne"}.get(kind, kind.title())


def _object_data(kind, name, shape):
    """The datablock the new object uses (None for an empty)."""
    data_name = name or _default_name(kind)
    if kind == "empty":
        return None
    if kind == "camera":
        return bpy.data.cameras.new(data_name)
    if kind == "light":
        light = bpy.data.lights.new(data_name, shape["light_type"] or "POINT")
        if shape["energy"] is not None:
            light.energy = shape["energy"]
        if shape["radius"] is not None:
            light.shadow_soft_size = shape["radius"]
        return light
    sizes = {key: shape[key] for key in ("size", "radius", "depth", "minor_radius") if shape[key] is not None}
    return build_mesh(data_name, kind, **sizes)


def _active_collection():
    """Where Blender's Add menu would put a new object."""
    layer_collection = bpy.context.view_layer.active_layer_collection
    return layer_collection.collection if layer_collection else bpy.context.scene.collection
