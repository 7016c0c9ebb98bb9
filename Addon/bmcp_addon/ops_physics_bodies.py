"""add_rigid_body, set_rigid_body, remove_rigid_body, add_collision, add_cloth and
remove_physics: the physics an object takes part in."""

import bpy

from .ops_common import changed, current_scene, registry
from .ops_physics_common import (call_with_context, mesh_object, modifier_of, object_context, physics_facts,
                                 rigid_body_facts, rigid_body_world)
from .physics_compat import cloth_pin_group_property, rigid_body_shapes
from .registry import BOOLEAN, NAME, NUMBER, INTEGER, OpError, Param, one_of
from .ops_common import find_object

SHAPES = rigid_body_shapes(tuple(bpy.app.version))
BODY_OUTPUT = {
    "object": {"type": "string"},
    "rigid_body": {"type": "object", "description": "type, mass (kg), friction, restitution, shape, enabled, kinematic, damping"},
    "world_created": {"type": "boolean", "description": "Whether the scene's rigid-body world was made by this call"},
    "changed": {"type": "object"},
}
OBJECT_ABOUT = "The mesh object's name"


def _body_settings(**declared):
    """The settable rigid-body params; None (their default) keeps the current value."""
    base = {
        "type": Param(one_of("ACTIVE", "PASSIVE"), None, about="ACTIVE falls and collides; PASSIVE stays put (floors, walls)"),
        "mass": Param(NUMBER, None, minimum=0.001, maximum=100000.0, about="Mass, kg"),
        "friction": Param(NUMBER, None, minimum=0.0, maximum=100.0, about="Surface friction (0 = ice, 0.5 default, 1 = rubber)"),
        "restitution": Param(NUMBER, None, minimum=0.0, maximum=1.0, about="Bounciness: 0 = no bounce, 1 = elastic"),
        "shape": Param(one_of(*SHAPES), None, about="Collision shape (CONVEX_HULL default, MESH for exact concave shapes)"),
        "linear_damping": Param(NUMBER, None, minimum=0.0, maximum=1.0, about="Fraction of linear velocity lost per second"),
        "angular_damping": Param(NUMBER, None, minimum=0.0, maximum=1.0, about="Fraction of angular velocity lost per second"),
        "kinematic": Param(BOOLEAN, None, about="Moved by its animation instead of the simulation"),
        "enabled": Param(BOOLEAN, None, about="Whether the simulation moves it (ACTIVE bodies)"),
    }
    base.update(declared)
    return base


def _apply(body, settings):
    for key, value in settings.items():
        if value is not None:
            setattr(body, "collision_shape" if key == "shape" else key, value)


@registry.tool(
    "add_rigid_body",
    "Make a mesh object a rigid body (ACTIVE falls and collides, PASSIVE is a fixed collider), with mass, friction and collision shape; the scene's rigid-body world is made if missing.",
    toolset="physics",
    output=BODY_OUTPUT,
)
@registry.mutating_op("physics.add_rigid_body", object=Param(NAME, about=OBJECT_ABOUT), **_body_settings(
    type=Param(one_of("ACTIVE", "PASSIVE"), "ACTIVE", about="ACTIVE falls and collides; PASSIVE stays put (floors, walls)")))
def physics_add_rigid_body(ctx, object, **settings):
    obj = mesh_object("physics.add_rigid_body", object)
    if obj.rigid_body is not None:
        raise OpError("already_exists", f"physics.add_rigid_body: '{object}' is already a rigid body (use set_rigid_body)")
    created = rigid_body_world() is None
    rigid_body_world(create=True)
    call_with_context(bpy.ops.rigidbody.object_add, object_context(obj), type=settings["type"])
    if obj.rigid_body is None:
        raise OpError("command_failed", f"physics.add_rigid_body: rigidbody.object_add gave '{object}' no rigid body")
    _apply(obj.rigid_body, settings)
    world = current_scene().rigidbody_world
    modified = [obj.name] + ([world.collection.name] if world.collection else [])
    return {"object": obj.name, "rigid_body": rigid_body_facts(obj), "world_created": created,
            "changed": changed(created=[world.collection.name] if created and world.collection else [], modified=modified)}


@registry.tool(
    "set_rigid_body",
    "Change a rigid body's settings (type, mass, friction, bounciness, shape, damping, kinematic); params left out keep their value.",
    toolset="physics",
    idempotent=True,
    output=BODY_OUTPUT,
)
@registry.mutating_op("physics.set_rigid_body", object=Param(NAME, about=OBJECT_ABOUT), **_body_settings())
def physics_set_rigid_body(ctx, object, **settings):
    obj = find_object(object)
    if obj.rigid_body is None:
        raise OpError("not_found", f"physics.set_rigid_body: '{object}' is not a rigid body (use add_rigid_body)")
    _apply(obj.rigid_body, settings)
    return {"object": obj.name, "rigid_body": rigid_body_facts(obj), "world_created": False,
            "changed": changed(modified=[obj.name])}


@registry.tool(
    "remove_rigid_body",
    "Stop an object being a rigid body (its rigid-body settings are dropped; the object stays).",
    toolset="physics",
    destructive=True,
    idempotent=False,
    output={"object": {"type": "string"}, "changed": {"type": "object"}},
)
@registry.mutating_op("physics.remove_rigid_body", object=Param(NAME, about="The rigid body's object name"))
def physics_remove_rigid_body(ctx, object):
    obj = find_object(object)
    if obj.rigid_body is None:
        raise OpError("not_found", f"physics.remove_rigid_body: '{object}' is not a rigid body")
    call_with_context(bpy.ops.rigidbody.object_remove, object_context(obj))
    if obj.rigid_body is not None:
        raise OpError("command_failed", f"physics.remove_rigid_body: '{object}' is still a rigid body")
    return {"object": obj.name, "changed": changed(modified=[obj.name])}


@registry.tool(
    "add_collision",
    "Make a mesh object a collider for cloth and particles (a Collision modifier), with its thickness, friction and damping.",
    toolset="physics",
    output={"object": {"type": "string"}, "modifier": {"type": "string"}, "physics": {"type": "object"},
            "changed": {"type": "object"}},
)
@registry.mutating_op(
    "physics.add_collision",
    object=Param(NAME, about=OBJECT_ABOUT),
    thickness=Param(NUMBER, 0.02, minimum=0.001, maximum=1.0, about="Outer collision thickness, m"),
    friction=Param(NUMBER, 5.0, minimum=0.0, maximum=80.0, about="Friction against cloth (Blender's 0–80 scale)"),
    damping=Param(NUMBER, 0.1, minimum=0.0, maximum=1.0, about="How much a hit cloth's motion is damped"),
)
def physics_add_collision(ctx, object, thickness, friction, damping):
    obj = mesh_object("physics.add_collision", object)
    if modifier_of(obj, "COLLISION") is not None:
        raise OpError("already_exists", f"physics.add_collision: '{object}' already has a Collision modifier")
    modifier = obj.modifiers.new("Collision", "COLLISION")
    obj.collision.thickness_outer = thickness
    obj.collision.cloth_friction = friction
    obj.collision.damping = damping
    return {"object": obj.name, "modifier": modifier.name, "physics": physics_facts(obj),
            "changed": changed(modified=[obj.name])}


@registry.tool(
    "add_cloth",
    "Make a mesh object cloth (a Cloth modifier), optionally pinned by a vertex group; bake it with bake_physics.",
    toolset="physics",
    output={"object": {"type": "string"}, "modifier": {"type": "string"}, "physics": {"type": "object"},
            "changed": {"type": "object"}},
)
@registry.mutating_op(
    "physics.add_cloth",
    object=Param(NAME, about=OBJECT_ABOUT + " (subdivide it first: cloth moves only its vertices)"),
    pin_group=Param(NAME, None, about="Vertex group whose vertices stay pinned in place (default: none)"),
    quality=Param(INTEGER, 5, minimum=1, maximum=80, about="Simulation steps per frame"),
    mass=Param(NUMBER, 0.3, minimum=0.001, maximum=10.0, about="Mass of each vertex, kg"),
    stiffness=Param(NUMBER, 15.0, minimum=0.0, maximum=10000.0, about="Tension and compression stiffness"),
)
def physics_add_cloth(ctx, object, pin_group, quality, mass, stiffness):
    obj = mesh_object("physics.add_cloth", object)
    if modifier_of(obj, "CLOTH") is not None:
        raise OpError("already_exists", f"physics.add_cloth: '{object}' already has a Cloth modifier")
    if pin_group is not None and obj.vertex_groups.get(pin_group) is None:
        groups = ", ".join(f"'{group.name}'" for group in obj.vertex_groups) or "none"
        raise OpError("not_found", f"physics.add_cloth: '{object}' has no vertex group '{pin_group}' (it has: {groups})")
    modifier = obj.modifiers.new("Cloth", "CLOTH")
    settings = modifier.settings
    settings.quality = quality
    settings.mass = mass
    settings.tension_stiffness = settings.compression_stiffness = stiffness
    if pin_group is not None:
        setattr(settings, cloth_pin_group_property(tuple(bpy.app.version)), pin_group)
    return {"object": obj.name, "modifier": modifier.name, "physics": physics_facts(obj),
            "changed": changed(modified=[obj.name])}


@registry.tool(
    "remove_physics",
    "Remove an object's physics: its collision, its cloth, its rigid body, or all of them.",
    toolset="physics",
    destructive=True,
    output={"object": {"type": "string"}, "removed": {"type": "array", "items": {"type": "string"}},
            "changed": {"type": "object"}},
)
@registry.mutating_op(
    "physics.remove",
    object=Param(NAME, about="The object's name"),
    kind=Param(one_of("collision", "cloth", "rigid_body", "all"), "all", about="Which physics to remove"),
)
def physics_remove(ctx, object, kind):
    obj = find_object(object)
    removed = []
    for name, modifier_type in (("collision", "COLLISION"), ("cloth", "CLOTH")):
        modifier = modifier_of(obj, modifier_type)
        if kind in (name, "all") and modifier is not None:
            obj.modifiers.remove(modifier)
            removed.append(name)
    if kind in ("rigid_body", "all") and obj.rigid_body is not None:
        call_with_context(bpy.ops.rigidbody.object_remove, object_context(obj))
        removed.append("rigid_body")
    if not removed:
        raise OpError("not_found", f"physics.remove: '{object}' has no {kind.replace('_', ' ') if kind != 'all' else 'physics'} to remove")
    return {"object": obj.name, "removed": removed, "changed": changed(modified=[obj.name])}
