"""Lights: add one (point, sun, spot, area), change it, list them, remove one, and a sun
placed by azimuth and elevation (toolset camera_light)."""

import math

import bpy
from mathutils import Vector

from .camera_light_common import aim, find_light, forward, target_collection, target_point, unique_new_name
from .camera_light_compat import sun_direction
from .ops_common import changed, current_scene, registry, update_view_layer, vector
from .ops_camera_setup import VEC3
from .registry import BOOLEAN, COLOR_RGBA, NAME, NUMBER, VECTOR3, Param, bad_params, one_of

LIGHT_TYPES = ("POINT", "SUN", "SPOT", "AREA")
AREA_SHAPES = ("SQUARE", "RECTANGLE", "DISK", "ELLIPSE")
# Power a new light gets unless told: watts for point, spot and area, W/m² for a sun.
DEFAULT_ENERGY = {"POINT": 1000.0, "SPOT": 1000.0, "AREA": 500.0, "SUN": 3.0}
# Which of set_light's optional params each light type has.
_TYPE_PARAMS = {
    "POINT": {"radius"},
    "SPOT": {"radius", "spot_size", "spot_blend"},
    "AREA": {"size", "size_y", "shape"},
    "SUN": {"angle"},
}
_SHAPED = {"radius", "spot_size", "spot_blend", "size", "size_y", "shape", "angle"}


def light_facts(obj):
    data = obj.data
    facts = {
        "name": obj.name,
        "type": data.type,
        "energy": data.energy,
        "color": vector(data.color),
        "location": vector(obj.matrix_world.translation),
        "forward": vector(forward(obj)),
        "use_shadow": data.use_shadow,
    }
    if data.type in ("POINT", "SPOT"):
        facts["radius"] = data.shadow_soft_size
    if data.type == "SPOT":
        facts["spot_size"] = math.degrees(data.spot_size)
        facts["spot_blend"] = data.spot_blend
    if data.type == "AREA":
        facts.update(shape=data.shape, size=data.size, size_y=data.size_y)
    if data.type == "SUN":
        facts["angle"] = math.degrees(data.angle)
    collections = [c.name for c in obj.users_collection]
    facts["collections"] = collections
    return facts


def apply_light_settings(op_name, data, settings):
    """Set the given (non-None) settings on light `data`, refusing one its type has not."""
    given = {key for key, value in settings.items() if value is not None}
    wrong = sorted((given & _SHAPED) - _TYPE_PARAMS[data.type])
    if wrong:
        allowed = ", ".join(sorted(_TYPE_PARAMS[data.type]))
        raise bad_params(op_name, f"param '{wrong[0]}' does not apply to a {data.type} light (its own: {allowed})")
    value = settings.get
    if value("energy") is not None:
        data.energy = value("energy")
    if value("color") is not None:
        data.color = value("color")[:3]
    if value("use_shadow") is not None:
        data.use_shadow = value("use_shadow")
    if value("radius") is not None:
        data.shadow_soft_size = value("radius")
    if value("spot_size") is not None:
        data.spot_size = math.radians(value("spot_size"))
    if value("spot_blend") is not None:
        data.spot_blend = value("spot_blend")
    if value("shape") is not None:
        data.shape = value("shape")
    if value("size") is not None:
        data.size = value("size")
    if value("size_y") is not None:
        data.size_y = value("size_y")
    if value("angle") is not None:
        data.angle = math.radians(value("angle"))


def new_light(op_name, name, light_type, location, collection, point=None, **settings):
    """Create, link, configure and aim a light; on a refused setting nothing is left behind."""
    unique_new_name(name, op_name)
    home = target_collection(collection)
    data = bpy.data.lights.new(name, light_type)
    obj = bpy.data.objects.new(name, data)
    try:
        if settings.get("energy") is None:
            settings["energy"] = DEFAULT_ENERGY[light_type]
        apply_light_settings(op_name, data, settings)
        home.objects.link(obj)
        obj.location = location
        if point is not None:
            aim(obj, point, op_name)
    except Exception:
        bpy.data.objects.remove(obj, do_unlink=True)
        bpy.data.lights.remove(data)
        raise
    return obj, home


LIGHT_OUTPUT = {"name": {"type": "string"}, "type": {"type": "string"}, "energy": {"type": "number"},
                "color": VEC3, "location": VEC3, "forward": VEC3}


@registry.tool(
    "add_light",
    "Add a point, sun, spot or area light with its power (W; W/m² for a sun), colour and size, optionally aimed at a point or object.",
    toolset="camera_light",
    output=LIGHT_OUTPUT,
)
@registry.mutating_op(
    "light.add",
    name=Param(NAME, about="The new light object's name (must be unused)"),
    type=Param(one_of(*LIGHT_TYPES), "POINT", about="Kind of light"),
    location=Param(VECTOR3, [4.0, -4.0, 6.0], about="Location [x, y, z], m"),
    energy=Param(NUMBER, None, minimum=0.0, maximum=1e7, about="Power, W (sun: strength, W/m²); default 1000 W, area 500 W, sun 3"),
    color=Param(COLOR_RGBA, None, about="Colour [r, g, b], each 0-1 (default white)"),
    radius=Param(NUMBER, None, minimum=0.0, maximum=1000.0, about="Point/spot light radius (soft shadows), m"),
    size=Param(NUMBER, None, minimum=0.0, maximum=1000.0, about="Area light side (X side for a rectangle), m"),
    spot_size=Param(NUMBER, None, minimum=1.0, maximum=180.0, about="Spot cone angle, degrees"),
    angle=Param(NUMBER, None, minimum=0.0, maximum=180.0, about="Sun's apparent diameter (shadow softness), degrees"),
    target=Param(VECTOR3, None, about="World point [x, y, z] to aim at, m"),
    target_object=Param(NAME, None, about="Object to aim at"),
    collection=Param(NAME, None, about="Collection to put it in (default: the active one)"),
)
def light_add(ctx, name, type, location, energy, color, radius, size, spot_size, angle, target, target_object,
              collection):
    point = target_point("light.add", target, target_object, required=False)
    obj, home = new_light("light.add", name, type, location, collection, point, energy=energy, color=color,
                          radius=radius, size=size, spot_size=spot_size, angle=angle)
    facts = light_facts(obj)
    return {**{key: facts[key] for key in LIGHT_OUTPUT}, "changed": changed(created=[obj.name], modified=[home.name])}


@registry.tool(
    "set_light",
    "Change a light: power, colour, shadows, point/spot radius, spot cone and blend, area shape and size, sun angle.",
    toolset="camera_light",
    idempotent=True,
    output={"light": {"type": "object", "description": "The light's settings after the change"}},
)
@registry.mutating_op(
    "light.set",
    light=Param(NAME, about="The light object"),
    energy=Param(NUMBER, None, minimum=0.0, maximum=1e7, about="Power, W (sun: strength, W/m²)"),
    color=Param(COLOR_RGBA, None, about="Colour [r, g, b], each 0-1"),
    use_shadow=Param(BOOLEAN, None, about="Whether it casts shadows"),
    radius=Param(NUMBER, None, minimum=0.0, maximum=1000.0, about="Point/spot radius (shadow softness), m"),
    spot_size=Param(NUMBER, None, minimum=1.0, maximum=180.0, about="Spot cone angle, degrees"),
    spot_blend=Param(NUMBER, None, minimum=0.0, maximum=1.0, about="Spot edge softness, 0-1"),
    shape=Param(one_of(*AREA_SHAPES), None, about="Area light shape"),
    size=Param(NUMBER, None, minimum=0.0, maximum=1000.0, about="Area light size (X side), m"),
    size_y=Param(NUMBER, None, minimum=0.0, maximum=1000.0, about="Area light Y side (RECTANGLE, ELLIPSE), m"),
    angle=Param(NUMBER, None, minimum=0.0, maximum=180.0, about="Sun's apparent diameter, degrees"),
)
def light_set(ctx, light, **settings):
    obj = find_light(light, "light.set")
    if all(value is None for value in settings.values()):
        raise bad_params("light.set", "give at least one setting to change (" + ", ".join(sorted(settings)) + ")")
    apply_light_settings("light.set", obj.data, settings)
    return {"light": light_facts(obj), "changed": changed(modified=[obj.name, obj.data.name])}


@registry.tool(
    "list_lights",
    "List the scene's lights with their type, power, colour, size, position and where each points.",
    toolset="camera_light",
    output={"lights": {"type": "array", "items": {"type": "object"}}},
)
@registry.op("light.list")
def light_list(ctx):
    update_view_layer()
    lights = sorted((obj for obj in current_scene().objects if obj.type == "LIGHT"), key=lambda obj: obj.name)
    return {"lights": [light_facts(obj) for obj in lights]}


@registry.tool(
    "remove_light",
    "Delete a light object (and its light data when nothing else uses it).",
    toolset="camera_light",
    destructive=True,
    output={"removed": {"type": "string"}},
)
@registry.mutating_op("light.remove", light=Param(NAME, about="The light object to delete"))
def light_remove(ctx, light):
    obj = find_light(light, "light.remove")
    data = obj.data
    name = obj.name
    bpy.data.objects.remove(obj, do_unlink=True)
    removed = [name]
    if data.users == 0:
        removed.append(data.name)
        bpy.data.lights.remove(data)
    return {"removed": name, "changed": changed(removed=removed)}


@registry.tool(
    "add_sun_from_angles",
    "Add a sun light shining from a compass direction and height above the horizon (azimuth 0° = from +Y, 90° = from +X; elevation 90° = overhead).",
    toolset="camera_light",
    output={**LIGHT_OUTPUT, "direction_to_sun": VEC3},
)
@registry.mutating_op(
    "light.sun_angles",
    azimuth=Param(NUMBER, minimum=-360.0, maximum=360.0, about="Compass direction the sun stands in, degrees clockwise from +Y"),
    elevation=Param(NUMBER, minimum=0.0, maximum=90.0, about="Height above the horizon, degrees"),
    name=Param(NAME, "Sun", about="The new sun object's name (must be unused)"),
    energy=Param(NUMBER, 3.0, minimum=0.0, maximum=1000.0, about="Strength, W/m²"),
    color=Param(COLOR_RGBA, None, about="Colour [r, g, b], each 0-1 (default white)"),
    angle=Param(NUMBER, None, minimum=0.0, maximum=180.0, about="Apparent diameter (shadow softness), degrees"),
    distance=Param(NUMBER, 10.0, minimum=0.0, maximum=10000.0, about="How far from the origin to place the (position-less) sun object, m"),
    collection=Param(NAME, None, about="Collection to put it in (default: the active one)"),
)
def light_sun_angles(ctx, azimuth, elevation, name, energy, color, angle, distance, collection):
    toward_sun = Vector(sun_direction(azimuth, elevation))
    location = toward_sun * distance
    obj, home = new_light("light.sun_angles", name, "SUN", location, collection, None,
                          energy=energy, color=color, angle=angle)
    # The sun shines along its -Z: away from where it stands, towards the scene.
    obj.rotation_euler = (-toward_sun).to_track_quat("-Z", "Y").to_euler()
    update_view_layer()
    facts = light_facts(obj)
    return {**{key: facts[key] for key in LIGHT_OUTPUT}, "direction_to_sun": vector(toward_sun),
            "changed": changed(created=[obj.name], modified=[home.name])}
