"""A `settings` dict (RNA property name -> JSON value) applied to a Blender struct such as a
modifier or a constraint: every property or none, datablock pointers given by name, and the
values read back in JSON form."""

from dataclasses import dataclass

import bpy

from .registry import OpError, bad_params


@dataclass(frozen=True)
class SettingsRules:
    """What one kind of struct allows. `noun` names it in refusals ("BEVEL modifier ...");
    `hidden` are properties never set through settings; `lookup` maps a pointer's RNA type
    (Object, Collection, ...) to the bpy.data collection a name is looked up in.
    `say_read_only`: a read-only property gets its own refusal (otherwise it is refused as
    not settable). `check_values`: enum values and number ranges are checked before setting
    (RNA would clamp a number silently)."""

    noun: str
    hidden: frozenset
    lookup: dict
    say_read_only: bool = False
    check_values: bool = False


def settable(struct, rules):
    return sorted(p.identifier for p in struct.bl_rna.properties
                  if not p.is_readonly and p.identifier not in rules.hidden)


def apply_settings(op_name, struct, settings, rules):
    """Set every given property or none (earlier ones are put back on a refusal)."""
    properties = struct.bl_rna.properties
    for key in settings:
        prop = properties.get(key)
        if prop is None or key in rules.hidden or (prop.is_readonly and not rules.say_read_only):
            verb = "setting" if rules.say_read_only else "settable"
            raise bad_params(op_name, f"{struct.type} {rules.noun} has no {verb} '{key}' "
                                      f"(settable: {', '.join(settable(struct, rules))})")
        if prop.is_readonly:
            raise bad_params(op_name, f"{struct.type} setting '{key}' is read-only")
    previous = {key: _snapshot(getattr(struct, key)) for key in settings}
    try:
        for key, value in settings.items():
            _set_one(op_name, struct, properties[key], key, value, rules)
    except OpError:
        for key, value in previous.items():
            try:
                setattr(struct, key, value)
            except (TypeError, ValueError, AttributeError):
                pass
        raise


def _set_one(op_name, struct, prop, key, value, rules):
    if prop.type == "POINTER" and isinstance(value, str):
        kind = prop.fixed_type.identifier
        collection = rules.lookup.get(kind)
        found = getattr(bpy.data, collection).get(value) if collection else None
        if found is None:
            raise OpError("not_found", f"{op_name}: setting '{key}' names no {kind} '{value}'")
        value = found
    elif prop.type == "ENUM" and prop.is_enum_flag and isinstance(value, list):
        value = set(value)  # JSON has no sets; flag enums take one
    elif rules.check_values and prop.type == "ENUM" and isinstance(value, str):
        allowed = [item.identifier for item in prop.enum_items]
        if allowed and value not in allowed:
            raise bad_params(op_name, f"{struct.type} setting '{key}' must be one of {', '.join(allowed)}, got '{value}'")
    elif (rules.check_values and prop.type in ("FLOAT", "INT") and not prop.array_length
          and isinstance(value, (int, float))):
        # RNA clamps silently; say so instead of storing another number than the one asked for.
        if not prop.hard_min <= value <= prop.hard_max:
            raise bad_params(op_name, f"{struct.type} setting '{key}' must be between {prop.hard_min:g} "
                                      f"and {prop.hard_max:g}, got {value!r}")
    try:
        setattr(struct, key, value)
    except (TypeError, ValueError, AttributeError) as exc:
        raise bad_params(op_name, f"{struct.type} setting '{key}' refused {value!r}: {exc}") from None


def _snapshot(value):
    # Vector/array properties are live views; copy them so a restore works. (Not .copy():
    # on a datablock pointer that would make a new datablock.)
    if isinstance(value, set):
        return set(value)
    if hasattr(value, "__len__") and not isinstance(value, str) and not hasattr(value, "bl_rna"):
        return tuple(value)
    return value


def readable(value):
    """A property's value in JSON form: datablocks by name, flag enums as sorted lists."""
    if hasattr(value, "bl_rna"):
        return getattr(value, "name", None)
    if isinstance(value, set):
        return sorted(value)
    if hasattr(value, "__len__") and not isinstance(value, str):
        return [readable(x) for x in value] if not hasattr(value, "to_list") else list(value)
    return value
