"""modifier.add, modifier.set, modifier.apply."""

import bpy

from .ops_common import changed, find_member, find_object, registry
from .registry import NAME, OBJECT, OpError, Param, bad_params, one_of
from .rna_settings import SettingsRules, apply_settings, readable

_SETTINGS = SettingsRules(
    noun="modifier",
    # Properties every modifier has that must not be set through `settings`.
    hidden=frozenset({"rna_type", "name", "type"}),
    # Pointer settings given by name (e.g. BOOLEAN's "object", ARRAY's "offset_object") are
    # looked up in these bpy.data collections.
    lookup={
        "Object": "objects",
        "Collection": "collections",
        "Texture": "textures",
        "NodeTree": "node_groups",
        "Image": "images",
        "VectorFont": "fonts",
    },
    say_read_only=True,
)


def modifier_types():
    """Modifier type identifier -> its UI name, which Blender uses as the default name."""
    return {item.identifier: item.name for item in bpy.types.Modifier.bl_rna.properties["type"].enum_items}


# The modifier types every supported Blender has (3.4 through 5.0; 4.3+ adds Grease Pencil
# ones, which no mesh takes): the schema's names. The op still asks the running Blender.
MODIFIER_TYPES = (
    "ARMATURE", "ARRAY", "BEVEL", "BOOLEAN", "BUILD", "CAST", "CLOTH", "COLLISION", "CORRECTIVE_SMOOTH",
    "CURVE", "DATA_TRANSFER", "DECIMATE", "DISPLACE", "DYNAMIC_PAINT", "EDGE_SPLIT", "EXPLODE", "FLUID",
    "HOOK", "LAPLACIANDEFORM", "LAPLACIANSMOOTH", "LATTICE", "MASK", "MESH_CACHE", "MESH_DEFORM",
    "MESH_SEQUENCE_CACHE", "MESH_TO_VOLUME", "MIRROR", "MULTIRES", "NODES", "NORMAL_EDIT", "OCEAN",
    "PARTICLE_INSTANCE", "PARTICLE_SYSTEM", "REMESH", "SCREW", "SHRINKWRAP", "SIMPLE_DEFORM", "SKIN",
    "SMOOTH", "SOFT_BODY", "SOLIDIFY", "SUBSURF", "SURFACE", "SURFACE_DEFORM", "TRIANGULATE", "UV_PROJECT",
    "UV_WARP", "VERTEX_WEIGHT_EDIT", "VERTEX_WEIGHT_MIX", "VERTEX_WEIGHT_PROXIMITY", "VOLUME_DISPLACE",
    "VOLUME_TO_MESH", "WARP", "WAVE", "WEIGHTED_NORMAL", "WELD", "WIREFRAME",
)


def _find_modifier(obj, name):
    return find_member(obj, obj.modifiers, name, "modifier")


@registry.tool(
    "add_modifier",
    "Add a modifier (e.g. SUBSURF, BEVEL, ARRAY, SOLIDIFY, BOOLEAN, MIRROR) with settings; all settings apply or none.",
    toolset="core",
    output={"object": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"}},
)
@registry.mutating_op(
    "modifier.add",
    object=Param(NAME, about="Object name"),
    type=Param(one_of(*MODIFIER_TYPES), about="Modifier type, Blender's identifier (SUBSURF, BEVEL, ARRAY, ...); any case"),
    name=Param(NAME, None, about="Modifier name (default: Blender's for the type)"),
    settings=Param(OBJECT, None, about="Modifier properties, e.g. {\"levels\": 2}; objects given by name"),
)
def modifier_add(ctx, object, type, name, settings):
    obj = find_object(object)
    kind = type.upper()
    known = modifier_types()
    if kind not in known:
        raise bad_params("modifier.add", f"param 'type' must be one of {', '.join(known)}, got '{type}'")
    try:
        modifier = obj.modifiers.new(name or known[kind], kind)
    except (RuntimeError, TypeError) as exc:
        raise bad_params("modifier.add", f"cannot add a {kind} modifier to '{obj.name}': {exc}") from None
    if modifier is None:
        raise bad_params("modifier.add", f"a {kind} modifier is not supported on a {obj.type} object")
    try:
        apply_settings("modifier.add", modifier, settings or {}, _SETTINGS)
    except OpError:
        obj.modifiers.remove(modifier)  # all or nothing
        raise
    return {"object": obj.name, "name": modifier.name, "type": modifier.type, "changed": changed(modified=[obj.name])}


@registry.tool(
    "set_modifier",
    "Change a modifier's settings (all or none).",
    toolset="core",
    idempotent=True,
    output={"object": {"type": "string"}, "name": {"type": "string"}, "settings": {"type": "object"}},
)
@registry.mutating_op(
    "modifier.set",
    object=Param(NAME, about="Object name"),
    name=Param(NAME, about="Modifier name"),
    settings=Param(OBJECT, about="Modifier properties to set, e.g. {\"width\": 0.1}; objects given by name"),
)
def modifier_set(ctx, object, name, settings):
    obj = find_object(object)
    modifier = _find_modifier(obj, name)
    if not settings:
        raise bad_params("modifier.set", "param 'settings' must set at least one property")
    apply_settings("modifier.set", modifier, settings, _SETTINGS)
    return {
        "object": obj.name,
        "name": modifier.name,
        "settings": {key: readable(getattr(modifier, key)) for key in settings},
        "changed": changed(modified=[obj.name]),
    }


@registry.tool(
    "apply_modifier",
    "Apply one modifier to a mesh object's data (as if it were first in the stack) and remove it.",
    toolset="core",
    output={"object": {"type": "string"}, "applied": {"type": "string"}, "vertices": {"type": "integer"},
            "polygons": {"type": "integer"}},
)
@registry.mutating_op("modifier.apply", object=Param(NAME, about="Object name"), name=Param(NAME, about="Modifier name"))
def modifier_apply(ctx, object, name):
    """Bake one modifier into the mesh from the evaluated object (no bpy.ops, so
    no context is needed). Like Blender's Apply on a modifier that is not first
    in the stack, the result is this modifier on the base mesh alone."""
    obj = find_object(object)
    modifier = _find_modifier(obj, name)
    if obj.type != "MESH":
        raise OpError("not_supported", f"modifier.apply supports mesh objects; '{obj.name}' is a {obj.type}")
    saved = {m.name: m.show_viewport for m in obj.modifiers}
    try:
        for other in obj.modifiers:
            other.show_viewport = other == modifier
        depsgraph = bpy.context.evaluated_depsgraph_get()
        evaluated = obj.evaluated_get(depsgraph)
        baked = bpy.data.meshes.new_from_object(evaluated, preserve_all_data_layers=True, depsgraph=depsgraph)
    finally:
        for other in obj.modifiers:
            other.show_viewport = saved[other.name]
    old_mesh = obj.data
    obj.modifiers.remove(modifier)
    obj.data = baked
    if old_mesh.users == 0:
        baked_name = old_mesh.name
        bpy.data.meshes.remove(old_mesh)
        baked.name = baked_name
    return {
        "object": obj.name,
        "applied": name,
        "vertices": len(baked.vertices),
        "polygons": len(baked.polygons),
        "changed": changed(modified=[obj.name]),
    }
