"""material.create, material.set, material.assign (Principled BSDF materials)."""

import bpy

from .ops_common import already_exists, changed, find_material, find_object, registry
from .registry import COLOR_RGBA, INTEGER, NAME, NUMBER, Param, bad_params

# Principled BSDF socket names that changed between Blender versions, newest first.
_EMISSION_COLOR_SOCKETS = ("Emission Color", "Emission")

_SURFACE_PARAMS = dict(
    base_color=Param(COLOR_RGBA, None, about="Base colour [r, g, b] or [r, g, b, a], each 0-1"),
    metallic=Param(NUMBER, None, minimum=0.0, maximum=1.0, about="Metallic, 0 (dielectric) to 1 (metal)"),
    roughness=Param(NUMBER, None, minimum=0.0, maximum=1.0, about="Roughness, 0 (mirror) to 1 (matte)"),
    emission_color=Param(COLOR_RGBA, None, about="Emission colour [r, g, b] or [r, g, b, a], each 0-1"),
    emission_strength=Param(NUMBER, None, minimum=0.0, about="Emission strength (0: none)"),
)
_SURFACE_OUT = {
    "name": {"type": "string"},
    "base_color": {"type": "array", "items": {"type": "number"}},
    "metallic": {"type": "number"},
    "roughness": {"type": "number"},
    "emission_color": {"type": "array", "items": {"type": "number"}},
    "emission_strength": {"type": "number"},
}


@registry.tool(
    "create_material",
    "Create a Principled BSDF material with the surface given (the rest at Blender's defaults).",
    toolset="core",
    output=_SURFACE_OUT,
)
@registry.mutating_op("material.create", name=Param(NAME, about="Material name (must be new)"), **_SURFACE_PARAMS)
def material_create(ctx, name, **surface):
    if bpy.data.materials.get(name) is not None:
        raise already_exists("material", name)
    material = bpy.data.materials.new(name)
    material.use_nodes = True
    _apply_surface(material, surface)
    return {"name": material.name, **_describe(material), "changed": changed(created=[material.name])}


@registry.tool(
    "set_material",
    "Change a material's surface (give at least one surface value).",
    toolset="core",
    idempotent=True,
    output=_SURFACE_OUT,
)
@registry.mutating_op("material.set", name=Param(NAME, about="Material name"), **_SURFACE_PARAMS)
def material_set(ctx, name, **surface):
    material = find_material(name)
    if all(value is None for value in surface.values()):
        raise bad_params("material.set", f"give at least one of {', '.join(sorted(surface))}")
    _apply_surface(material, surface)
    return {"name": material.name, **_describe(material), "changed": changed(modified=[material.name])}


@registry.tool(
    "assign_material",
    "Put a material into one of an object's material slots (slot = the slot count appends a slot).",
    toolset="core",
    idempotent=True,
    output={"object": {"type": "string"}, "material": {"type": "string"}, "slot": {"type": "integer"}},
)
@registry.mutating_op(
    "material.assign",
    object=Param(NAME, about="Object name"),
    material=Param(NAME, about="Material name"),
    slot=Param(INTEGER, 0, minimum=0, about="Material slot index, at most the object's slot count"),
)
def material_assign(ctx, object, material, slot):
    """Put the material into slot `slot`; slot == number of slots appends one."""
    obj = find_object(object)
    mat = find_material(material)
    if obj.data is None or not hasattr(obj.data, "materials"):
        raise bad_params("material.assign", f"object '{obj.name}' ({obj.type}) cannot hold materials")
    slots = len(obj.material_slots)
    if slot > slots:
        raise bad_params(
            "material.assign",
            f"param 'slot' must be between 0 and {slots} for object '{obj.name}' (it has {slots} slots), got {slot}",
        )
    if slot == slots:
        obj.data.materials.append(mat)
    else:
        obj.material_slots[slot].material = mat
    return {
        "object": obj.name,
        "material": mat.name,
        "slot": slot,
        "changed": changed(modified=[obj.name]),
    }


def _principled(material):
    if not material.use_nodes:
        material.use_nodes = True
    for node in material.node_tree.nodes:
        if node.type == "BSDF_PRINCIPLED":
            return node
    node = material.node_tree.nodes.new("ShaderNodeBsdfPrincipled")
    output = next((n for n in material.node_tree.nodes if n.type == "OUTPUT_MATERIAL"), None)
    if output is None:
        output = material.node_tree.nodes.new("ShaderNodeOutputMaterial")
    material.node_tree.links.new(node.outputs["BSDF"], output.inputs["Surface"])
    return node


def _input(node, *names):
    for name in names:
        if name in node.inputs:
            return node.inputs[name]
    raise KeyError(f"Principled BSDF has none of the inputs {names}")


def _apply_surface(material, surface):
    node = _principled(material)
    if surface["base_color"] is not None:
        _input(node, "Base Color").default_value = surface["base_color"]
        # The viewport (Workbench, solid mode) shows these, not the node tree.
        material.diffuse_color = surface["base_color"]
    if surface["metallic"] is not None:
        _input(node, "Metallic").default_value = surface["metallic"]
        material.metallic = surface["metallic"]
    if surface["roughness"] is not None:
        _input(node, "Roughness").default_value = surface["roughness"]
        material.roughness = surface["roughness"]
    if surface["emission_color"] is not None:
        _input(node, *_EMISSION_COLOR_SOCKETS).default_value = surface["emission_color"]
    if surface["emission_strength"] is not None:
        _input(node, "Emission Strength").default_value = surface["emission_strength"]


def _describe(material):
    node = _principled(material)
    return {
        "base_color": list(_input(node, "Base Color").default_value),
        "metallic": float(_input(node, "Metallic").default_value),
        "roughness": float(_input(node, "Roughness").default_value),
        "emission_color": list(_input(node, *_EMISSION_COLOR_SOCKETS).default_value),
        "emission_strength": float(_input(node, "Emission Strength").default_value),
    }
