"""Blender-version differences the node tools meet, as pure functions of the version
tuple (no bpy import, unit-tested in tests/test_nodes_compat_units.py).

- Principled BSDF inputs renamed in 4.0 (Specular -> Specular IOR Level, ...).
- Node-group sockets: 3.x `group.inputs.new(idname, name)` / `group.outputs.new`,
  4.0+ `group.interface.new_socket(name, in_out=..., socket_type=...)`.
- Musgrave Texture merged into Noise Texture in 4.1.
- Node groups offered to a Geometry Nodes modifier carry `is_modifier` from 4.0.
"""

# (name before 4.0, name from 4.0)
PRINCIPLED_RENAMES = (
    ("Specular", "Specular IOR Level"),
    ("Emission", "Emission Color"),
    ("Subsurface", "Subsurface Weight"),
    ("Transmission", "Transmission Weight"),
    ("Clearcoat", "Coat Weight"),
    ("Clearcoat Roughness", "Coat Roughness"),
    ("Clearcoat Normal", "Coat Normal"),
    ("Sheen", "Sheen Weight"),
)

INTERFACE_API_FROM = (4, 0)
PRINCIPLED_RENAMED_IN = (4, 0)
MUSGRAVE_MERGED_IN = (4, 1)

# Socket types a group input may have -> the socket idname Blender uses for it.
SOCKET_TYPES = {
    "FLOAT": "NodeSocketFloat",
    "INT": "NodeSocketInt",
    "BOOLEAN": "NodeSocketBool",
    "VECTOR": "NodeSocketVector",
    "COLOR": "NodeSocketColor",
    "STRING": "NodeSocketString",
    "OBJECT": "NodeSocketObject",
    "COLLECTION": "NodeSocketCollection",
    "MATERIAL": "NodeSocketMaterial",
    "IMAGE": "NodeSocketImage",
    "GEOMETRY": "NodeSocketGeometry",
}

# Procedural texture kind -> shader node idname.
PROCEDURAL_TEXTURES = {
    "noise": "ShaderNodeTexNoise",
    "voronoi": "ShaderNodeTexVoronoi",
    "wave": "ShaderNodeTexWave",
    "checker": "ShaderNodeTexChecker",
    "magic": "ShaderNodeTexMagic",
    "brick": "ShaderNodeTexBrick",
    "gradient": "ShaderNodeTexGradient",
    "musgrave": "ShaderNodeTexMusgrave",
}


def version_tuple(version):
    """(major, minor) of bpy.app.version or of a "4.2.1"-style string."""
    if isinstance(version, str):
        version = tuple(int(part) for part in version.split(".")[:2])
    return tuple(version[:2])


def principled_input_name(version, name):
    """The Principled BSDF input `name` (in either spelling) as this version calls it."""
    new_names = version_tuple(version) >= PRINCIPLED_RENAMED_IN
    for old, new in PRINCIPLED_RENAMES:
        if name.casefold() in (old.casefold(), new.casefold()):
            return new if new_names else old
    return name


def uses_interface_api(version):
    """Whether node-group sockets are made through group.interface (4.0+)."""
    return version_tuple(version) >= INTERFACE_API_FROM


def socket_idname(socket_type):
    """The socket idname for a group socket type (FLOAT, INT, ...); KeyError if unknown."""
    return SOCKET_TYPES[socket_type.upper()]


def procedural_texture_node(version, kind):
    """The node idname for a procedural texture kind in this version: from 4.1 a Musgrave
    is a Noise Texture (its fractal types moved onto the Noise node)."""
    if kind == "musgrave" and version_tuple(version) >= MUSGRAVE_MERGED_IN:
        return "ShaderNodeTexNoise"
    return PROCEDURAL_TEXTURES[kind]


def texture_output_socket(version, kind, wanted):
    """The output of a texture node to link for `wanted` ('Color' or 'Fac'): a Voronoi has
    no 'Fac' ('Distance' is its scalar); a Musgrave before 4.1 has only 'Fac'."""
    if kind == "voronoi" and wanted == "Fac":
        return "Distance"
    if kind == "musgrave" and version_tuple(version) < MUSGRAVE_MERGED_IN:
        return "Fac"
    return wanted


def non_color_space(available):
    """The colour space for data maps (roughness, normal) among `available` names."""
    for name in ("Non-Color", "Raw", "Generic Data"):
        if name in available:
            return name
    return None
