"""Blender-version differences the analysis toolset meets, as pure functions of the
version tuple (bpy.app.version) so they are unit-tested without Blender.

No bpy import here: the ops pass bpy.app.version in.
"""

# Object types as the analysis tools name them; the Grease Pencil object type was renamed
# when Grease Pencil v3 replaced the legacy one (4.3): 'GPENCIL' before, 'GREASEPENCIL' after.
OBJECT_TYPE_NAMES = (
    "MESH", "CURVE", "SURFACE", "META", "FONT", "CURVES", "POINTCLOUD", "VOLUME",
    "GPENCIL", "GREASEPENCIL", "ARMATURE", "LATTICE", "EMPTY", "LIGHT", "LIGHT_PROBE",
    "CAMERA", "SPEAKER",
)


def grease_pencil_object_type(version):
    """The Object.type of a Grease Pencil object in this Blender."""
    return "GREASEPENCIL" if tuple(version[:2]) >= (4, 3) else "GPENCIL"


def object_type_for(version, name):
    """The Object.type this Blender uses for `name`, so either spelling of Grease Pencil finds it."""
    if name in ("GPENCIL", "GREASEPENCIL"):
        return grease_pencil_object_type(version)
    return name


# The bpy.data collections list_data_blocks reports, by the name it reports them under.
# Each maps to the bpy.data attribute that holds them in a given version (see data_attribute).
DATA_KINDS = (
    "objects", "meshes", "materials", "textures", "images", "node_groups", "actions", "cameras",
    "lights", "collections", "curves", "fonts", "worlds", "scenes", "armatures", "lattices",
    "metaballs", "grease_pencils", "hair_curves", "pointclouds", "volumes", "particles",
    "palettes", "brushes", "libraries", "texts", "sounds", "speakers", "lightprobes",
    "movieclips", "masks", "cache_files", "paint_curves", "workspaces", "screens",
)


def data_attribute(version, kind):
    """The bpy.data attribute holding `kind` in this Blender, or None where it has none.

    4.3 keeps legacy Grease Pencil in `grease_pencils` and adds v3 as `grease_pencils_v3`;
    4.4+ … 5.x make `grease_pencils` the v3 one (legacy ones are `annotations`). Hair curves
    (`hair_curves`) exist from 3.3 on. Some collections depend on build options (point clouds),
    so the caller still checks hasattr.
    """
    major_minor = tuple(version[:2])
    if kind == "grease_pencils" and major_minor == (4, 3):
        return "grease_pencils_v3"
    if kind == "hair_curves" and major_minor < (3, 3):
        return None
    return kind


def mesh_has_auto_smooth(version):
    """Mesh.use_auto_smooth exists up to 4.0; 4.1 replaced it with a modifier / sharp edges."""
    return tuple(version[:2]) < (4, 1)


def operator_python_name(idname):
    """'MESH_OT_bevel' or 'mesh.bevel' -> 'mesh.bevel'; None for anything else."""
    if not isinstance(idname, str):
        return None
    if "_OT_" in idname:
        module, _, name = idname.partition("_OT_")
        module, name = module.lower(), name
    elif idname.count(".") == 1:
        module, _, name = idname.partition(".")
    else:
        return None
    if not module or not name or not (module + name).replace("_", "").isalnum():
        return None
    return f"{module}.{name}"


def parse_data_path(path):
    """Split an RNA path under bpy.data into steps, without eval:
    "objects['Cube'].data.vertices[0].co" ->
    [("attr", "objects"), ("key", "Cube"), ("attr", "data"), ("attr", "vertices"), ("index", 0), ("attr", "co")].
    A leading "bpy.data." is allowed. Raises ValueError naming the position of what it cannot read.
    """
    text = path.strip()
    if text.startswith("bpy.data."):
        text = text[len("bpy.data."):]
    steps = []
    position = 0
    expect_attr = True
    while position < len(text):
        char = text[position]
        if char == ".":
            if expect_attr:
                raise ValueError(f"unexpected '.' at position {position}")
            expect_attr = True
            position += 1
        elif char == "[":
            end = _closing_bracket(text, position)
            inside = text[position + 1:end].strip()
            if len(inside) >= 2 and inside[0] == inside[-1] and inside[0] in "'\"":
                steps.append(("key", inside[1:-1]))
            elif inside.lstrip("-").isdigit():
                steps.append(("index", int(inside)))
            else:
                raise ValueError(f"index at position {position} must be a number or a quoted name, got [{inside}]")
            position = end + 1
            expect_attr = False
        else:
            end = position
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            name = text[position:end]
            if not name or not expect_attr:
                raise ValueError(f"unexpected {char!r} at position {position}")
            if name.startswith("_"):
                raise ValueError(f"private attribute '{name}' is not readable")
            steps.append(("attr", name))
            position = end
            expect_attr = False
    if not steps or expect_attr:
        raise ValueError("the path is empty or ends with '.'")
    if steps[0][0] != "attr":
        raise ValueError("the path must start with a bpy.data collection name, e.g. objects['Cube']")
    return steps


def _closing_bracket(text, start):
    quote = None
    for index in range(start + 1, len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "]":
            return index
    raise ValueError(f"'[' at position {start} is never closed")
