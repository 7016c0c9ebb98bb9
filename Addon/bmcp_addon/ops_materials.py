"""material.create, material.set, material.assign (Principled BSDF materials)."""

import bpy

from .ops_common import already_exists, changed, find_material, find_object, registry
from .registry import COLOR_RGBA, INTEGER, NAME, NUMBER, Param, bad_params

# Principled BSDF socket names that changed between Blender versions, newest first.
_EMISSION_COLOR_SOCKETS = ("Emission Color", "Emission")

_SURFACE_PARAMS = dict(
    base_color=Param(COLOR_RGBA, None),
    metallic=Param(NUMBER, None, minimum=0.0, maximum=1.0),
    roughness=Param(NUMBER, None, minimum=0.0, maximum=1.0),
    emission_color=Param(COLOR_RGBA, None),
    emission_strength=Param(NUMBER, None, minimum=0.0),
)


@registry.mutating_op("material.create", name=Param(NAME), **_SURFACE_PARAMS)
def material_create(ctx, name, **surface):
    if bpy.data.materials.get(name) is not None:
        raise already_exists("material", name)
    material = bpy.data.materials.new(name)
    material.use_nodes = True
    _apply_surface(material, surface)
    return {"name": material.name, **_describe(material), "changed": changed(created=[material.name])}


@registry.mutating_op("material.set", name=Param(NAME), **_SURFACE_PARAMS)
def material_set(ctx, name, **surface):
    material = find_material(name)
    if all(value is None for value in surface.values()):
        raise bad_params("material.set", f"give at least one of {', '.join(sorted(surface))}")
    _apply_surface(material, surface)
    return {"name": material.name, **_describe(material), "changed": changed(modified=[material.name])}


@registry.mutating_op(
    "material.assign",
    object=Param(NAME),
    material=Param(NAME),
    slot=Param(INTEGER, 0, minimum=0),
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
