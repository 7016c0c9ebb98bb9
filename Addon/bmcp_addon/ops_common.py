"""What every ops_* module shares: the one registry, the context ops receive,
and lookups that turn names into Blender data or a not_found error."""

from dataclasses import dataclass

import bpy

from .registry import OpError, OpRegistry, bad_params

registry = OpRegistry()


@dataclass
class OpContext:
    mode: str  # "headless" | "gui"
    blender_version: str
    started_at: float  # time.monotonic() when serving started
    connection_count: object  # callable() -> int
    sessions: object = None  # sessions.SessionManager, None when sessions are off
    # The session context of the request being run (session_context.SessionContext), if any.
    request_session: object = None
    # The connection the current request came on (session.restore makes it the session's).
    request_connection: object = None


def version():
    """The running Blender's version, a tuple such as (4, 2, 0)."""
    return tuple(bpy.app.version)


def blender_version():
    # bpy.app.version_string carries suffixes like " LTS" in some releases.
    return ".".join(str(part) for part in bpy.app.version)


def vector(values):
    return [float(value) for value in values]


def current_scene():
    return bpy.context.scene


def changed(created=(), modified=(), removed=()):
    """The `changed` block every mutating op returns (names of objects,
    materials, collections...)."""
    return {"created": list(created), "modified": list(modified), "removed": list(removed)}


def find_object(name):
    scene = current_scene()
    obj = scene.objects.get(name)
    if obj is None:
        raise OpError("not_found", f"no object named '{name}' in scene '{scene.name}'")
    return obj


def find_object_of_type(name, op_name, types, what, param="object"):
    """An object by name whose type is one of `types`, else bad_params saying it must name
    `what` ("a camera", "a mesh object", ...)."""
    obj = find_object(name)
    if obj.type not in types:
        raise bad_params(op_name, f"param '{param}' must name {what}; '{obj.name}' is a {obj.type}")
    return obj


def find_member(obj, members, name, noun):
    """One of an object's modifiers, constraints, shape keys ... by name, else not_found
    listing the ones it has."""
    found = members.get(name)
    if found is None:
        known = ", ".join(f"'{m.name}'" for m in members) or "none"
        raise OpError("not_found", f"object '{obj.name}' has no {noun} named '{name}' (it has: {known})")
    return found


def find_objects(names):
    """All named objects, or not_found naming every missing one (nothing is half-done)."""
    scene = current_scene()
    missing = [name for name in names if scene.objects.get(name) is None]
    if missing:
        listed = ", ".join(f"'{name}'" for name in missing)
        raise OpError("not_found", f"no object named {listed} in scene '{scene.name}'")
    return [scene.objects[name] for name in dict.fromkeys(names)]


def find_material(name):
    material = bpy.data.materials.get(name)
    if material is None:
        raise OpError("not_found", f"no material named '{name}'")
    return material


def find_collection(name):
    """A collection by name; the scene's root collection answers to its own name too."""
    scene = current_scene()
    if name == scene.collection.name:
        return scene.collection
    collection = bpy.data.collections.get(name)
    if collection is None:
        raise OpError("not_found", f"no collection named '{name}'")
    return collection


def update_view_layer():
    """Re-evaluate the scene so matrix_world, bounding boxes and dimensions
    reflect edits made through bpy.data since the last evaluation (headless,
    nothing else triggers one between commands)."""
    bpy.context.view_layer.update()


def already_exists(kind, name):
    article = "an" if kind[:1] in "aeiou" else "a"
    return OpError("already_exists", f"{article} {kind} named '{name}' already exists")
