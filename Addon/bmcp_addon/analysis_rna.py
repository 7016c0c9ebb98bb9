"""RNA introspection for the analysis toolset: describe a property, turn an RNA value into
JSON, walk a data path under bpy.data without eval, list bpy.ops operators."""

import bpy
from mathutils import Color, Euler, Matrix, Quaternion, Vector

from . import analysis_compat
from .registry import OpError

# Items of a collection a value listing shows; the length is always given.
COLLECTION_PREVIEW = 50


def _plain(value):
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    return value


def describe_property(prop):
    """One RNA property as JSON: identifier, type, default, range, enum items, pointed type."""
    info = {
        "identifier": prop.identifier,
        "name": prop.name,
        "description": prop.description,
        "type": prop.type,
        "subtype": prop.subtype,
        "readonly": bool(prop.is_readonly),
    }
    array_length = getattr(prop, "array_length", 0)
    if prop.type in ("BOOLEAN", "INT", "FLOAT"):
        if array_length:
            info["array_length"] = array_length
            info["default"] = [_plain(value) for value in prop.default_array]
        else:
            info["default"] = _plain(prop.default)
        if prop.type in ("INT", "FLOAT"):
            info["min"], info["max"] = _plain(prop.hard_min), _plain(prop.hard_max)
            info["soft_min"], info["soft_max"] = _plain(prop.soft_min), _plain(prop.soft_max)
        if prop.type == "FLOAT":
            info["unit"] = prop.unit
    elif prop.type == "STRING":
        info["default"] = prop.default
    elif prop.type == "ENUM":
        info["flag"] = bool(prop.is_enum_flag)
        info["default"] = sorted(prop.default_flag) if prop.is_enum_flag else prop.default
        info["items"] = enum_items(prop)
    elif prop.type in ("POINTER", "COLLECTION"):
        info["fixed_type"] = prop.fixed_type.identifier if prop.fixed_type else None
    return info


def enum_items(prop):
    return [{"identifier": item.identifier, "name": item.name, "description": item.description}
            for item in prop.enum_items]


def struct_properties(rna):
    return [describe_property(prop) for prop in rna.properties if prop.identifier != "rna_type"]


def rna_struct(op_name, type_name):
    """bpy.types.<type_name>.bl_rna, or not_found with close names."""
    cls = getattr(bpy.types, type_name, None) if type_name.isidentifier() else None
    rna = getattr(cls, "bl_rna", None)
    if rna is None:
        folded = type_name.casefold()
        close = sorted(name for name in dir(bpy.types) if folded in name.casefold())[:10]
        hint = f" (similar: {', '.join(close)})" if close else ""
        raise OpError("not_found", f"{op_name}: no bpy.types struct named '{type_name}'{hint}")
    return rna


def resolve(op_name, path):
    """The value at an RNA path under bpy.data, read attribute by attribute (no eval, no calls)."""
    try:
        steps = analysis_compat.parse_data_path(path)
    except ValueError as exc:
        raise OpError("bad_params", f"{op_name}: param 'path' {exc}; example: objects['Cube'].data.vertices") from None
    value, walked = bpy.data, "bpy.data"
    for kind, step in steps:
        try:
            if kind == "attr":
                next_value = getattr(value, step)
                if callable(next_value) and not hasattr(next_value, "bl_rna"):
                    raise OpError("bad_params", f"{op_name}: '{walked}.{step}' is a function; only properties are read")
                value, walked = next_value, f"{walked}.{step}"
            else:
                value = value[step]
                walked = f"{walked}[{step!r}]"
        except (AttributeError, KeyError, IndexError, TypeError) as exc:
            shown = f".{step}" if kind == "attr" else f"[{step!r}]"
            raise OpError("not_found", f"{op_name}: {walked}{shown} does not exist ({type(exc).__name__})") from None
    return value, walked


def to_json(value, depth=0):
    """An RNA value as JSON: numbers, strings, vectors/matrices as lists, data-blocks as
    {name, id_type}, structs as their simple properties, collections as {length, items}."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _plain(value)
    if isinstance(value, bpy.types.ID):
        return {"name": value.name, "id_type": type(value).__name__}
    if isinstance(value, Matrix):
        return [[_plain(item) for item in row] for row in value]
    if isinstance(value, (Vector, Color, Euler, Quaternion)):
        return [_plain(item) for item in value]
    if isinstance(value, bpy.types.bpy_prop_collection):
        items = [to_json(item, depth + 1) if depth < 1 else _label(item) for item in list(value)[:COLLECTION_PREVIEW]]
        return {"length": len(value), "items": items}
    if isinstance(value, bpy.types.bpy_struct):
        if depth >= 1:
            return _label(value)
        fields = {"rna_type": value.bl_rna.identifier}
        for prop in value.bl_rna.properties:
            if prop.identifier == "rna_type" or prop.type == "COLLECTION":
                continue
            try:
                fields[prop.identifier] = to_json(getattr(value, prop.identifier), depth + 1)
            except (AttributeError, RuntimeError, TypeError):
                continue
        return fields
    try:  # bpy_prop_array and other sequences
        return [to_json(item, depth + 1) for item in list(value)[:COLLECTION_PREVIEW * 20]]
    except TypeError:
        return repr(value)


def _label(value):
    if isinstance(value, bpy.types.ID):
        return {"name": value.name, "id_type": type(value).__name__}
    name = getattr(value, "name", None)
    label = {"rna_type": value.bl_rna.identifier} if hasattr(value, "bl_rna") else {"value": repr(value)}
    if isinstance(name, str):
        label["name"] = name
    index = getattr(value, "index", None)
    if isinstance(index, int):
        label["index"] = index
    return label


def all_operators():
    """Every bpy.ops operator as (python name, rna) pairs, sorted."""
    found = []
    for module_name in dir(bpy.ops):
        if module_name.startswith("_"):
            continue
        module = getattr(bpy.ops, module_name)
        for name in dir(module):
            if name.startswith("_"):
                continue
            try:
                rna = getattr(module, name).get_rna_type()
            except (AttributeError, KeyError, RuntimeError):
                continue
            found.append((f"{module_name}.{name}", rna))
    return sorted(found, key=lambda pair: pair[0])


def operator_rna(op_name, operator):
    python_name = analysis_compat.operator_python_name(operator)
    if python_name is None:
        raise OpError("bad_params", f"{op_name}: param 'operator' must look like 'mesh.bevel' or 'MESH_OT_bevel', got '{operator}'")
    module_name, name = python_name.split(".")
    module = getattr(bpy.ops, module_name, None) if not module_name.startswith("_") else None
    if module is not None and name in dir(module):
        try:
            return python_name, getattr(module, name).get_rna_type()
        except (AttributeError, KeyError, RuntimeError):
            pass
    close = [python for python, _rna in all_operators() if name in python][:10]
    hint = f" (similar: {', '.join(close)})" if close else ""
    raise OpError("not_found", f"{op_name}: no operator '{python_name}'{hint}")
