"""Object constraints: add (with a target), remove, list, and set their settings, each setting
checked against the constraint's own RNA properties."""

from .ops_common import changed, find_member, find_object, registry, update_view_layer
from .registry import BOOLEAN, NAME, NUMBER, OBJECT, OpError, Param, bad_params, one_of
from .rna_settings import SettingsRules, apply_settings, readable

# Object constraint types present from Blender 3.4 through 5.x (bone-only ones such as IK and
# the motion-tracking solvers are left out: they need an armature or a movie clip).
CONSTRAINT_TYPES = (
    "TRACK_TO", "DAMPED_TRACK", "LOCKED_TRACK", "STRETCH_TO",
    "COPY_LOCATION", "COPY_ROTATION", "COPY_SCALE", "COPY_TRANSFORMS",
    "LIMIT_LOCATION", "LIMIT_ROTATION", "LIMIT_SCALE", "LIMIT_DISTANCE", "MAINTAIN_VOLUME",
    "TRANSFORM", "CHILD_OF", "FOLLOW_PATH", "CLAMP_TO", "FLOOR", "PIVOT", "SHRINKWRAP", "ACTION",
)
_SETTINGS = SettingsRules(
    noun="constraint",
    hidden=frozenset({"rna_type", "type", "is_valid", "error_location", "error_rotation"}),
    lookup={"Object": "objects", "Action": "actions", "Collection": "collections"},
    check_values=True,
)
_CHANGED = {"type": "object", "description": "Names of what was created, modified, removed"}
_CONSTRAINT_OUT = {
    "name": {"type": "string"}, "type": {"type": "string"}, "target": {"type": ["string", "null"]},
    "influence": {"type": "number"}, "mute": {"type": "boolean"},
    "is_valid": {"type": "boolean", "description": "False when Blender cannot evaluate it (e.g. a missing target)"},
}


def _rebuild_relations(obj, constraint):
    """Make the depsgraph rebuild its relations. A constraint added to an object that was
    already evaluated gets no evaluation step until then (a LIMIT_LOCATION had no effect);
    setting a dependency pointer is what tags that rebuild from Python."""
    if hasattr(constraint, "space_object"):
        constraint.space_object = constraint.space_object
    else:
        obj.parent = obj.parent


def _find_constraint(obj, name):
    return find_member(obj, obj.constraints, name, "constraint")


def _describe(constraint):
    target = getattr(constraint, "target", None)
    return {"name": constraint.name, "type": constraint.type, "target": target.name if target else None,
            "influence": constraint.influence, "mute": constraint.mute, "is_valid": constraint.is_valid}


@registry.tool(
    "add_constraint",
    "Add a constraint to an object (TRACK_TO, DAMPED_TRACK, COPY_LOCATION, COPY_ROTATION, LIMIT_LOCATION, "
    "CHILD_OF, FOLLOW_PATH …), with its target object and optional settings checked against the constraint.",
    toolset="animation",
    output={**_CONSTRAINT_OUT, "object": {"type": "string"}, "changed": _CHANGED},
)
@registry.mutating_op(
    "constraint.add",
    object=Param(NAME, about="The object to constrain"),
    type=Param(one_of(*CONSTRAINT_TYPES), about="Constraint type"),
    target=Param(NAME, None, about="Target object (for constraint types that have one)"),
    name=Param(NAME, None, about="Constraint name (default: Blender's, e.g. 'Track To')"),
    settings=Param(OBJECT, None, about="Other properties by RNA name, e.g. {\"track_axis\": \"TRACK_NEGATIVE_Z\", \"influence\": 0.5}"),
    keep_transform=Param(BOOLEAN, None, about="CHILD_OF only: set the inverse so the object stays where it is (default true)"),
)
def constraint_add(ctx, object, type, target, name, settings, keep_transform):
    obj = find_object(object)
    target_obj = find_object(target) if target else None
    if target_obj is obj:
        raise bad_params("constraint.add", "param 'target' must be another object than 'object'")
    if keep_transform is not None and type != "CHILD_OF":
        raise bad_params("constraint.add", f"param 'keep_transform' applies to CHILD_OF, not to {type}")
    constraint = obj.constraints.new(type)
    try:
        if name:
            constraint.name = name
        if target_obj is not None:
            if not hasattr(constraint, "target"):
                raise bad_params("constraint.add", f"a {type} constraint has no target; leave 'target' out")
            constraint.target = target_obj
        apply_settings("constraint.add", constraint, settings or {}, _SETTINGS)
        if type == "CHILD_OF" and target_obj is not None and keep_transform is not False:
            # What Blender's "Set Inverse" does: cancel the target's current transform.
            update_view_layer()  # matrix_world of a target moved since the last evaluation
            constraint.inverse_matrix = target_obj.matrix_world.inverted()
        _rebuild_relations(obj, constraint)
    except OpError:
        obj.constraints.remove(constraint)  # all or nothing
        raise
    return {**_describe(constraint), "object": obj.name, "changed": changed(modified=[obj.name])}


@registry.tool(
    "remove_constraint",
    "Remove one constraint from an object by name.",
    toolset="animation",
    destructive=True,
    output={"object": {"type": "string"}, "removed": {"type": "string"}, "changed": _CHANGED},
)
@registry.mutating_op(
    "constraint.remove",
    object=Param(NAME, about="The constrained object"),
    name=Param(NAME, about="The constraint's name (see list_constraints)"),
)
def constraint_remove(ctx, object, name):
    obj = find_object(object)
    constraint = _find_constraint(obj, name)
    obj.constraints.remove(constraint)
    return {"object": obj.name, "removed": name, "changed": changed(modified=[obj.name])}


@registry.tool(
    "list_constraints",
    "List an object's constraints in stack order: name, type, target, influence, mute and whether each is valid.",
    toolset="animation",
    output={"object": {"type": "string"},
            "constraints": {"type": "array", "items": {"type": "object", "properties": _CONSTRAINT_OUT}}},
)
@registry.op("constraint.list", object=Param(NAME, about="The object"))
def constraint_list(ctx, object):
    obj = find_object(object)
    return {"object": obj.name, "constraints": [_describe(c) for c in obj.constraints]}


@registry.tool(
    "set_constraint",
    "Change a constraint's settings by RNA property name (target, influence, track_axis, use_x, min_x …); "
    "unknown names are refused with the list of settable ones.",
    toolset="animation",
    idempotent=True,
    output={**_CONSTRAINT_OUT, "object": {"type": "string"}, "settings": {"type": "object"}, "changed": _CHANGED},
)
@registry.mutating_op(
    "constraint.set",
    object=Param(NAME, about="The constrained object"),
    name=Param(NAME, about="The constraint's name"),
    settings=Param(OBJECT, about="Property name -> value; objects by name, e.g. {\"target\": \"Empty\", \"influence\": 0.5}"),
    influence=Param(NUMBER, None, minimum=0.0, maximum=1.0, about="Shortcut for settings.influence, 0..1"),
)
def constraint_set(ctx, object, name, settings, influence):
    obj = find_object(object)
    constraint = _find_constraint(obj, name)
    settings = dict(settings)
    if influence is not None:
        settings["influence"] = influence
    if not settings:
        raise bad_params("constraint.set", "param 'settings' must set at least one property")
    if "target" in settings and settings["target"] == obj.name:
        raise bad_params("constraint.set", "setting 'target' must be another object than the constrained one")
    apply_settings("constraint.set", constraint, settings, _SETTINGS)
    return {**_describe(constraint), "object": obj.name,
            "settings": {key: readable(getattr(constraint, key)) for key in settings},
            "changed": changed(modified=[obj.name])}
