"""Analysis toolset, Blender API lookup: search bpy.ops, an operator's properties, a struct's
properties, a value at a data path, and enum items (modifier types, object types, any enum).
All read-only: nothing here runs an operator or calls a function of the data."""

import bpy

from . import analysis_rna
from .ops_common import registry
from .registry import INTEGER, NAME, Param, bad_params

TOOLSET = "analysis"
PROPERTY_LIST = {"type": "array", "items": {"type": "object"},
                 "description": "{identifier, name, description, type, subtype, readonly, default, min/max, items, fixed_type}"}
ENUM_LIST = {"type": "array", "items": {"type": "object"}, "description": "{identifier, name, description}"}


@registry.tool(
    "search_bpy_operators",
    "Search Blender's operators (bpy.ops) by keywords in their idname, name and description; gives idnames and descriptions.",
    toolset=TOOLSET,
    output={"operators": {"type": "array", "items": {"type": "object"}, "description": "{operator, idname, name, description}"},
            "count": {"type": "integer", "description": "All matches (the list holds at most `limit`)"}},
)
@registry.op(
    "analysis.search_operators",
    query=Param(NAME, about="Keywords, all of which must appear, e.g. 'bevel' or 'uv unwrap'"),
    limit=Param(INTEGER, 30, minimum=1, maximum=500, about="Most operators listed"),
)
def analysis_search_operators(ctx, query, limit):
    words = query.casefold().split()
    if not words:
        raise bad_params("analysis.search_operators", "param 'query' must hold at least one keyword, got only spaces")
    ranked = []
    for python_name, rna in analysis_rna.all_operators():
        name, text = python_name.casefold(), f"{python_name} {rna.name} {rna.description}".casefold()
        if all(word in text for word in words):
            # Hits in the idname itself rank first, then by name.
            ranked.append((-sum(word in name for word in words), python_name, rna))
    ranked.sort(key=lambda item: item[:2])
    listed = [{"operator": python_name, "idname": rna.identifier, "name": rna.name, "description": rna.description}
              for _score, python_name, rna in ranked[:limit]]
    return {"operators": listed, "count": len(ranked)}


@registry.tool(
    "get_operator_info",
    "Describe one bpy.ops operator: its name, description and every property with type, default, range and enum items.",
    toolset=TOOLSET,
    output={"operator": {"type": "string"}, "idname": {"type": "string"}, "name": {"type": "string"},
            "description": {"type": "string"}, "properties": PROPERTY_LIST},
)
@registry.op("analysis.operator_info", operator=Param(NAME, about="The operator, e.g. 'mesh.bevel' or 'MESH_OT_bevel'"))
def analysis_operator_info(ctx, operator):
    python_name, rna = analysis_rna.operator_rna("analysis.operator_info", operator)
    return {"operator": python_name, "idname": rna.identifier, "name": rna.name, "description": rna.description,
            "properties": analysis_rna.struct_properties(rna)}


@registry.tool(
    "get_rna_properties",
    "List the RNA properties of a bpy.types struct (e.g. 'Object', 'SubsurfModifier') or of the data at a path under bpy.data (e.g. \"objects['Cube'].modifiers[0]\").",
    toolset=TOOLSET,
    output={"struct": {"type": "string"}, "description": {"type": "string"}, "base": {"type": ["string", "null"]},
            "properties": PROPERTY_LIST},
)
@registry.op(
    "analysis.rna_properties",
    target=Param(NAME, about="A bpy.types name, or a data path under bpy.data such as \"objects['Cube'].data\""),
)
def analysis_rna_properties(ctx, target):
    if target.isidentifier() and not hasattr(bpy.data, target):
        rna = analysis_rna.rna_struct("analysis.rna_properties", target)
    else:
        value, _walked = analysis_rna.resolve("analysis.rna_properties", target)
        rna = getattr(value, "bl_rna", None)
        if rna is None:
            raise bad_params("analysis.rna_properties", f"param 'target': '{target}' is a {type(value).__name__}, not an RNA struct")
    return {"struct": rna.identifier, "name": rna.name, "description": rna.description,
            "base": rna.base.identifier if rna.base else None, "properties": analysis_rna.struct_properties(rna)}


@registry.tool(
    "get_property_value",
    "Read the value at an RNA path under bpy.data, e.g. \"objects['Cube'].location\" or \"meshes['Cube'].vertices\" (collections give their length and first items).",
    toolset=TOOLSET,
    output={"path": {"type": "string"}, "value": {"description": "The value as JSON"},
            "value_type": {"type": "string"}, "length": {"type": ["integer", "null"]}},
)
@registry.op(
    "analysis.property_value",
    path=Param(NAME, about="Path under bpy.data: collection['name'], .attribute and [index] steps, no calls"),
)
def analysis_property_value(ctx, path):
    value, walked = analysis_rna.resolve("analysis.property_value", path)
    try:
        length = len(value) if not isinstance(value, str) else None
    except TypeError:
        length = None
    return {"path": walked, "value": analysis_rna.to_json(value), "value_type": type(value).__name__, "length": length}


def _enum(struct_name, property_name):
    rna = analysis_rna.rna_struct("analysis.enum_items", struct_name)
    prop = rna.properties.get(property_name)
    if prop is None or prop.type != "ENUM":
        enums = sorted(p.identifier for p in rna.properties if p.type == "ENUM")
        raise bad_params("analysis.enum_items", f"param 'property': '{property_name}' is not an enum property of {struct_name} "
                                                f"(enum properties: {', '.join(enums) or 'none'})")
    return analysis_rna.enum_items(prop)


@registry.tool(
    "list_modifier_types",
    "List every modifier type this Blender has (identifier, name, description), read from its RNA.",
    toolset=TOOLSET,
    output={"types": ENUM_LIST, "count": {"type": "integer"}},
)
@registry.op("analysis.modifier_types")
def analysis_modifier_types(ctx):
    items = _enum("Modifier", "type")
    return {"types": items, "count": len(items)}


@registry.tool(
    "list_object_types",
    "List every object type this Blender has (MESH, CURVE, EMPTY, …), read from its RNA.",
    toolset=TOOLSET,
    output={"types": ENUM_LIST, "count": {"type": "integer"}},
)
@registry.op("analysis.object_types")
def analysis_object_types(ctx):
    items = _enum("Object", "type")
    return {"types": items, "count": len(items)}


@registry.tool(
    "list_enum_items",
    "List the allowed values of any enum property of a bpy.types struct, e.g. struct 'Light', property 'type'.",
    toolset=TOOLSET,
    output={"struct": {"type": "string"}, "property": {"type": "string"}, "items": ENUM_LIST},
)
@registry.op(
    "analysis.enum_items",
    struct=Param(NAME, about="A bpy.types name, e.g. 'Light', 'Object', 'RenderSettings'"),
    property=Param(NAME, about="The enum property's identifier, e.g. 'type' or 'engine'"),
)
def analysis_enum_items(ctx, struct, property):
    return {"struct": struct, "property": property, "items": _enum(struct, property)}
