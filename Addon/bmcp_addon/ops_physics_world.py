"""set_gravity, set_physics_world, bake_physics, free_physics_bake and get_physics_info:
the scene-wide side of the physics toolset (gravity, the rigid-body world, point caches)."""

import bpy

from .ops_common import changed, current_scene, registry, vector
from .ops_physics_common import call_with_context, modifier_of, physics_facts, rigid_body_world
from .physics_compat import world_substeps_property
from .registry import BOOLEAN, INTEGER, NUMBER, OpError, Param, bad_params, numbers

MAX_FRAME = 1048574  # Blender's last frame


def _world_facts(world):
    if world is None:
        return None
    cache = world.point_cache
    return {
        "enabled": world.enabled,
        "collection": world.collection.name if world.collection else None,
        "objects": sorted(obj.name for obj in world.collection.objects) if world.collection else [],
        "frame_start": cache.frame_start,
        "frame_end": cache.frame_end,
        "baked": cache.is_baked,
        "substeps": getattr(world, world_substeps_property(tuple(bpy.app.version))),
        "solver_iterations": world.solver_iterations,
        "time_scale": world.time_scale,
    }


def _scene_facts():
    scene = current_scene()
    return {"gravity": vector(scene.gravity), "use_gravity": scene.use_gravity,
            "rigid_body_world": _world_facts(scene.rigidbody_world)}


@registry.tool(
    "set_gravity",
    "Set the scene's gravity vector (m/s², default [0, 0, -9.81]) for rigid bodies, cloth and particles, or switch gravity off.",
    toolset="physics",
    idempotent=True,
    output={"gravity": {"type": "array", "items": {"type": "number"}}, "use_gravity": {"type": "boolean"},
            "changed": {"type": "object"}},
)
@registry.mutating_op(
    "physics.set_gravity",
    gravity=Param(numbers(3, "an array of 3 numbers [x, y, z], each between -1000 and 1000", -1000.0, 1000.0), about="Gravity [x, y, z], m/s² (Earth: [0, 0, -9.81])"),
    enabled=Param(BOOLEAN, True, about="Whether gravity acts at all"),
)
def physics_set_gravity(ctx, gravity, enabled):
    scene = current_scene()
    scene.gravity = gravity
    scene.use_gravity = enabled
    return {"gravity": vector(scene.gravity), "use_gravity": scene.use_gravity, "changed": changed(modified=[scene.name])}


@registry.tool(
    "set_physics_world",
    "Set up the scene's rigid-body world (made if missing): its simulated frame range, solver substeps and iterations, speed.",
    toolset="physics",
    idempotent=True,
    output={"rigid_body_world": {"type": "object"}, "changed": {"type": "object"}},
)
@registry.mutating_op(
    "physics.set_world",
    frame_end=Param(INTEGER, minimum=1, maximum=MAX_FRAME, about="Last simulated frame"),
    frame_start=Param(INTEGER, None, minimum=0, maximum=MAX_FRAME, about="First simulated frame (default: as it is, 1 for a new world)"),
    substeps=Param(INTEGER, None, minimum=1, maximum=1000, about="Solver substeps per frame (more = steadier stacks)"),
    solver_iterations=Param(INTEGER, None, minimum=1, maximum=1000, about="Constraint solver iterations"),
    time_scale=Param(NUMBER, None, minimum=0.0, maximum=100.0, about="Simulation speed (1 = real time)"),
    enabled=Param(BOOLEAN, None, about="Whether the rigid-body simulation runs"),
)
def physics_set_world(ctx, frame_end, frame_start, substeps, solver_iterations, time_scale, enabled):
    world = rigid_body_world(create=True)
    start = world.point_cache.frame_start if frame_start is None else frame_start
    if frame_end < start:
        raise bad_params("physics.set_world", f"param 'frame_end' ({frame_end}) must not be before frame_start ({start})")
    world.point_cache.frame_start = start
    world.point_cache.frame_end = frame_end
    if substeps is not None:
        setattr(world, world_substeps_property(tuple(bpy.app.version)), substeps)
    for key, value in (("solver_iterations", solver_iterations), ("time_scale", time_scale), ("enabled", enabled)):
        if value is not None:
            setattr(world, key, value)
    return {"rigid_body_world": _world_facts(world), "changed": changed(modified=[current_scene().name])}


def _caches(scene):
    """(owner label, kind, point cache, context owner) of every cache bake_physics handles."""
    found = []
    if scene.rigidbody_world is not None and scene.rigidbody_world.collection is not None:
        found.append(("RigidBodyWorld", "rigid_body", scene.rigidbody_world.point_cache, None))
    for obj in scene.objects:
        cloth = modifier_of(obj, "CLOTH")
        if cloth is not None:
            found.append((obj.name, "cloth", cloth.point_cache, obj))
    return found


def _override(scene, owner, cache):
    override = {"scene": scene, "point_cache": cache}
    if owner is not None:
        override.update(object=owner, active_object=owner)
    return override


@registry.tool(
    "bake_physics",
    "Bake the scene's rigid-body simulation and every cloth over a frame range into their caches, so any frame can be shown or rendered.",
    toolset="physics",
    idempotent=True,
    output={"baked": {"type": "array", "items": {"type": "object"},
                      "description": "Each cache: owner, kind (rigid_body, cloth), frame_start, frame_end, baked"},
            "changed": {"type": "object"}},
)
@registry.mutating_op(
    "physics.bake",
    frame_start=Param(INTEGER, minimum=0, maximum=MAX_FRAME, about="First frame to simulate"),
    frame_end=Param(INTEGER, minimum=1, maximum=MAX_FRAME, about="Last frame to simulate"),
)
def physics_bake(ctx, frame_start, frame_end):
    if frame_end <= frame_start:
        raise bad_params("physics.bake", f"param 'frame_end' ({frame_end}) must be after frame_start ({frame_start})")
    scene = current_scene()
    caches = _caches(scene)
    if not caches:
        raise OpError("not_found", "physics.bake: nothing to bake: no rigid bodies and no cloth in the scene")
    current = scene.frame_current
    baked = []
    try:
        for label, kind, cache, owner in caches:
            if cache.is_baked:
                call_with_context(bpy.ops.ptcache.free_bake, _override(scene, owner, cache))
            cache.frame_start, cache.frame_end = frame_start, frame_end
            call_with_context(bpy.ops.ptcache.bake, _override(scene, owner, cache), bake=True)
            baked.append({"owner": label, "kind": kind, "frame_start": cache.frame_start,
                          "frame_end": cache.frame_end, "baked": cache.is_baked})
    finally:
        scene.frame_set(current)
    failed = [entry["owner"] for entry in baked if not entry["baked"]]
    if failed:
        raise OpError("command_failed", f"physics.bake: the cache of {', '.join(failed)} did not bake")
    return {"baked": baked, "changed": changed(modified=[label for label, _, _, _ in caches])}


@registry.tool(
    "free_physics_bake",
    "Delete every baked physics cache in the scene (rigid bodies, cloth), so the simulation runs live again.",
    toolset="physics",
    destructive=True,
    idempotent=True,
    output={"freed": {"type": "array", "items": {"type": "string"}, "description": "Owners whose bake was deleted"},
            "changed": {"type": "object"}},
)
@registry.mutating_op("physics.free_bake")
def physics_free_bake(ctx):
    scene = current_scene()
    freed = []
    for label, _kind, cache, owner in _caches(scene):
        if cache.is_baked:
            call_with_context(bpy.ops.ptcache.free_bake, _override(scene, owner, cache))
            freed.append(label)
    return {"freed": freed, "changed": changed(modified=freed)}


@registry.tool(
    "get_physics_info",
    "Report the scene's physics: gravity, the rigid-body world (frame range, bake state) and each object's rigid body, collision and cloth.",
    toolset="physics",
    output={"gravity": {"type": "array", "items": {"type": "number"}}, "use_gravity": {"type": "boolean"},
            "rigid_body_world": {"type": ["object", "null"]},
            "objects": {"type": "array", "items": {"type": "object"}, "description": "Objects with any physics"}},
)
@registry.op("physics.info")
def physics_info(ctx):
    facts = _scene_facts()
    objects = [physics_facts(obj) for obj in current_scene().objects]
    facts["objects"] = [entry for entry in objects if entry["rigid_body"] or entry["collision"] or entry["cloth"]]
    return facts
