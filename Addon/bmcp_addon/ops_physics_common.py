"""What the physics ops share: running a physics operator headless with the context it
polls for, the scene's rigid-body world (made on demand), and a description of an object's
physics for answers."""

import bpy

from .ops_common import current_scene, find_object_of_type
from .physics_compat import cloth_pin_group_property, context_override_style
from .registry import OpError


def call_with_context(operator, override, **properties):
    """Run `operator` (a bpy.ops callable) with `override` as its context; under -b there is
    no active object or window to take it from."""
    if context_override_style(tuple(bpy.app.version)) == "temp_override":
        with bpy.context.temp_override(**override):
            return operator(**properties)
    return operator(dict(override), **properties)  # Blender < 3.2


def object_context(obj):
    return {"scene": current_scene(), "view_layer": bpy.context.view_layer, "object": obj,
            "active_object": obj, "selected_objects": [obj], "selected_editable_objects": [obj]}


def rigid_body_world(create=False):
    """The scene's rigid-body world; made (rigidbody.world_add) when asked and missing."""
    scene = current_scene()
    if scene.rigidbody_world is None and create:
        call_with_context(bpy.ops.rigidbody.world_add, {"scene": scene})
        if scene.rigidbody_world is None:
            raise OpError("command_failed", "physics: rigidbody.world_add made no rigid-body world")
    return scene.rigidbody_world


def mesh_object(op_name, name):
    """A mesh object by name: physics simulates meshes only."""
    return find_object_of_type(name, op_name, ("MESH",), "a mesh object")


def modifier_of(obj, kind):
    return next((m for m in obj.modifiers if m.type == kind), None)


def rigid_body_facts(obj):
    body = obj.rigid_body
    if body is None:
        return None
    return {
        "type": body.type,
        "mass": body.mass,
        "friction": body.friction,
        "restitution": body.restitution,
        "shape": body.collision_shape,
        "enabled": body.enabled,
        "kinematic": body.kinematic,
        "linear_damping": body.linear_damping,
        "angular_damping": body.angular_damping,
    }


def physics_facts(obj):
    """Which physics an object has: its rigid body's settings, collision, cloth."""
    facts = {"name": obj.name, "rigid_body": rigid_body_facts(obj)}
    collision = modifier_of(obj, "COLLISION")
    facts["collision"] = None if collision is None else {
        "modifier": collision.name,
        "thickness_outer": obj.collision.thickness_outer,
        "friction": obj.collision.cloth_friction,
        "damping": obj.collision.damping,
    }
    cloth = modifier_of(obj, "CLOTH")
    facts["cloth"] = None if cloth is None else {
        "modifier": cloth.name,
        "quality": cloth.settings.quality,
        "mass": cloth.settings.mass,
        "pin_group": getattr(cloth.settings, cloth_pin_group_property(tuple(bpy.app.version))) or None,
        "baked": cloth.point_cache.is_baked,
    }
    return facts
