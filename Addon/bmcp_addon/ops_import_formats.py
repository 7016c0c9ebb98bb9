"""import_gltf, import_fbx, import_obj, import_stl, import_ply, import_usd: one file into
the scene, read from under the files root, answering the objects it made with their mesh
counts. Which Blender operator reads each format is import_export_compat's choice."""

import os

from .file_paths import resolve_under_root
from .import_export_compat import SUFFIXES, numpy_aliases_to_restore, numpy_version_tuple, suffix_matches
from .ops_common import changed, registry, update_view_layer
from .ops_import_common import find_operator, imported_objects, mesh_summary, object_names, run_operator
from .registry import NAME, NUMBER, OpError, Param, bad_params
from .settings import files_root

IMPORT_OUTPUT = {
    "path": {"type": "string", "description": "The file read (absolute)"},
    "format": {"type": "string"},
    "operator": {"type": "string", "description": "The Blender operator that read it"},
    "objects": {
        "type": "array",
        "description": "The objects made: name, type and, for meshes, mesh name, vertices, faces",
        "items": {"type": "object"},
    },
    "object_count": {"type": "integer"},
    "mesh_count": {"type": "integer", "description": "How many of them are meshes"},
    "changed": {"type": "object"},
}

PATH_ABOUT = "The file to read, under the files root (a relative path starts there)"
SCALE_ABOUT = "Scale factor applied to the imported top-level objects (1 = as in the file)"


def existing_file(op_name, path):
    """The absolute path of an existing file under the files root, or path_not_allowed /
    not_found naming the root."""
    root = files_root()
    resolved = resolve_under_root(path, root, op_name)
    if not os.path.isfile(resolved):
        raise OpError("not_found", f"{op_name}: no file '{path}' under {os.path.realpath(root)}")
    return resolved


def restore_numpy_aliases():
    """Give numpy back the aliases this Blender's glTF importer uses (np.bool = bool, as numpy
    had it until 1.24), only where missing; without numpy the importer says so itself."""
    try:
        import numpy
    except ImportError:
        return
    for alias in numpy_aliases_to_restore(numpy_version_tuple(numpy.__version__)):
        if alias not in numpy.__dict__:
            setattr(numpy, alias, {"bool": bool}[alias])


def import_file(op_name, file_format, path, scale):
    if not suffix_matches(path, file_format):
        allowed = ", ".join(SUFFIXES[file_format])
        raise bad_params(op_name, f"param 'path' must name a {file_format} file (ending {allowed}), got '{path}'")
    # Whether this Blender can read the format at all comes first: import_usd without USD
    # is not_available whatever the path.
    candidate = find_operator(op_name, file_format)
    source = existing_file(op_name, path)
    if file_format == "gltf":
        restore_numpy_aliases()
    before = object_names()
    run_operator(op_name, candidate, filepath=source)
    made = imported_objects(before)
    if scale != 1.0:
        names = {obj.name for obj in made}
        for obj in made:
            if obj.parent is None or obj.parent.name not in names:
                obj.scale = [value * scale for value in obj.scale]
    update_view_layer()
    objects = [mesh_summary(obj) for obj in made]
    return {
        "path": source,
        "format": file_format,
        "operator": candidate.operator,
        "objects": objects,
        "object_count": len(objects),
        "mesh_count": sum(1 for entry in objects if entry["type"] == "MESH"),
        "changed": changed(created=[entry["name"] for entry in objects]),
    }


def _declare(tool_name, file_format, label, description):
    """One import tool: its op is file.import_<format>."""

    def run(ctx, path, scale):
        return import_file(f"file.import_{file_format}", file_format, path, scale)

    run.__name__ = f"file_import_{file_format}"
    run = registry.mutating_op(
        f"file.import_{file_format}",
        path=Param(NAME, about=f"{PATH_ABOUT}; {label}: {', '.join(SUFFIXES[file_format])}"),
        scale=Param(NUMBER, 1.0, minimum=0.0001, maximum=10000.0, about=SCALE_ABOUT),
    )(run)
    registry.tool(tool_name, description, toolset="import_export", idempotent=False, output=IMPORT_OUTPUT)(run)
    return run


_declare("import_gltf", "gltf", "glTF 2.0",
         "Import a glTF 2.0 file (.gltf with its .bin, or .glb) from the files root; answers the objects made and their mesh counts.")
_declare("import_fbx", "fbx", "FBX",
         "Import an FBX file from the files root; answers the objects made (meshes, empties, armatures) and their mesh counts.")
_declare("import_obj", "obj", "Wavefront OBJ",
         "Import a Wavefront OBJ file (with its .mtl materials) from the files root; answers the objects made and their mesh counts.")
_declare("import_stl", "stl", "STL",
         "Import an STL mesh (binary or ASCII) from the files root; answers the object made and its vertex and face counts.")
_declare("import_ply", "ply", "PLY",
         "Import a PLY mesh from the files root; answers the object made and its vertex and face counts.")
_declare("import_usd", "usd", "USD",
         "Import a USD stage (.usd, .usda, .usdc, .usdz) from the files root; answers the objects made, or not_available where this Blender was built without USD.")
