"""What the import/export ops share: finding the operator this Blender has for a format
(enabling its bundled add-on if needed), running it with its failures mapped to wire errors,
and describing the objects an import made."""

import contextlib

import bpy

from .import_export_compat import exporter_candidates, importer_candidates
from .ops_common import current_scene
from .registry import OpError


def bpy_operator(name):
    """bpy.ops.<module>.<function> for "module.function"."""
    module, function = name.split(".")
    return getattr(getattr(bpy.ops, module), function)


def operator_exists(name):
    """Whether this Blender has operator `name`. (hasattr on bpy.ops is always true: the
    stub is made on access; only its RNA type says whether the operator is real.)"""
    try:
        bpy_operator(name).get_rna_type()
        return True
    except (KeyError, AttributeError):
        return False


def _enable_addon(module):
    import addon_utils

    with contextlib.suppress(Exception):  # reported as unavailable by the caller
        addon_utils.enable(module, default_set=False, persistent=True)


def first_available(candidates):
    """The first of `candidates` (each with .operator and .addon) whose operator this Blender
    has, enabling the add-on of one if that is what it takes; None when none can run."""
    for candidate in candidates:
        if operator_exists(candidate.operator):
            return candidate
    for candidate in candidates:
        if candidate.addon:
            _enable_addon(candidate.addon)
            if operator_exists(candidate.operator):
                return candidate
    return None


def missing_module(message):
    """The ModuleNotFoundError / ImportError line of an operator's RuntimeError message
    (Blender appends "Location: …/ops.py" after the Python traceback), or None."""
    if "ModuleNotFoundError" not in message and "ImportError" not in message:
        return None
    return next(line for line in reversed(message.splitlines())
                if "ModuleNotFoundError" in line or "ImportError" in line).strip()


def find_operator(op_name, file_format, exporting=False):
    """The first candidate operator this Blender has, enabling an add-on if that is what it
    takes; not_available naming the operators tried otherwise."""
    finder = exporter_candidates if exporting else importer_candidates
    candidates = finder(tuple(bpy.app.version), file_format)
    found = first_available(candidates)
    if found is not None:
        return found
    tried = ", ".join(c.operator for c in candidates) or "none for this version"
    version = ".".join(str(part) for part in bpy.app.version)
    why = " (this Blender was built without USD)" if file_format == "usd" else ""
    raise OpError(
        "not_available",
        f"{op_name}: Blender {version} cannot {'export' if exporting else 'import'} {file_format}{why}; "
        f"tried {tried}",
        format=file_format,
    )


def run_operator(op_name, candidate, **properties):
    """Run the operator; a missing Python dependency is not_available, a file it cannot read
    or write is file_unreadable / command_failed with Blender's own words."""
    try:
        result = bpy_operator(candidate.operator)(**dict(candidate.extra), **properties)
    except RuntimeError as exc:
        message = str(exc).strip()
        missing = missing_module(message)
        if missing is not None:
            raise OpError("not_available", f"{op_name}: {candidate.operator} cannot run in this Blender: {missing}") from None
        raise OpError("command_failed", f"{op_name}: {candidate.operator} failed: {message}") from None
    if "FINISHED" not in result:
        raise OpError("command_failed", f"{op_name}: {candidate.operator} ended {sorted(result)}")
    return result


def object_names():
    return {obj.name for obj in bpy.data.objects}


def mesh_summary(obj):
    """One imported object: its name, type and, for a mesh, its counts."""
    entry = {"name": obj.name, "type": obj.type}
    if obj.type == "MESH" and obj.data is not None:
        entry.update(mesh=obj.data.name, vertices=len(obj.data.vertices), faces=len(obj.data.polygons))
    return entry


def imported_objects(before):
    """The objects made since `before` (a set of names), in the current scene, by name."""
    scene = current_scene()
    made = [obj for obj in bpy.data.objects if obj.name not in before]
    return sorted((obj for obj in made if scene.objects.get(obj.name) is obj), key=lambda obj: obj.name)


@contextlib.contextmanager
def selection(objects):
    """Exactly `objects` selected (the first one active) while the block runs; the
    selection and the active object as they were afterwards."""
    layer = bpy.context.view_layer
    was_selected = [obj for obj in current_scene().objects if obj.select_get()]
    was_active = layer.objects.active
    try:
        for obj in current_scene().objects:
            obj.select_set(False)
        for obj in objects:
            obj.select_set(True)
        if objects:
            layer.objects.active = objects[0]
        yield
    finally:
        for obj in current_scene().objects:
            with contextlib.suppress(ReferenceError, RuntimeError):
                obj.select_set(obj in was_selected)
        with contextlib.suppress(ReferenceError, RuntimeError):
            layer.objects.active = was_active
