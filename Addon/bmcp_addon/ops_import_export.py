"""export_ply, export_usd, export_selected: write the scene (or named objects) to a file
under the files root, 0600 like every file the addon writes. glTF, FBX, OBJ and STL of the
whole scene stay with file.export (export_scene); export_selected covers every format."""

import os

from .file_paths import writable_under_root
from .import_export_compat import EXPORT_FORMATS, export_path
from .ops_common import find_objects, registry
from .ops_import_common import find_operator, run_operator, selection
from .private_files import blender_writes_with_side_files
from .registry import BOOLEAN, NAME, OpError, Param, array_of, one_of
from .settings import files_root

EXPORT_OUTPUT = {
    "path": {"type": "string", "description": "The main file written (absolute)"},
    "format": {"type": "string"},
    "operator": {"type": "string", "description": "The Blender operator that wrote it"},
    "size": {"type": "integer", "description": "Bytes"},
    "files": {"type": "array", "items": {"type": "object"},
              "description": "Every file written (side files like .bin or .mtl too), with sizes"},
    "objects": {"type": "array", "items": {"type": "string"}, "description": "The objects asked for (export_selected)"},
}

PATH_ABOUT = "Where to write, under the files root (relative paths start there); the format's suffix is added if missing"


def export_file(op_name, file_format, path, selected_only=False, objects=None):
    target = writable_under_root(export_path(path, file_format), files_root(), op_name)
    chosen = find_objects(objects) if objects else None
    candidate = find_operator(op_name, file_format, exporting=True)

    def write(staged):
        properties = {"filepath": staged}
        if candidate.selection_flag:
            properties[candidate.selection_flag] = bool(selected_only or chosen)
        if chosen:
            with selection(chosen):
                run_operator(op_name, candidate, **properties)
        else:
            run_operator(op_name, candidate, **properties)

    written = blender_writes_with_side_files(target, write)
    if target not in written:
        raise OpError("command_failed", f"{op_name}: {candidate.operator} wrote no file at '{target}'")
    return {
        "path": target,
        "format": file_format,
        "operator": candidate.operator,
        "size": os.path.getsize(target),
        "files": [{"path": p, "size": os.path.getsize(p)} for p in written],
        "objects": [obj.name for obj in chosen] if chosen else [],
    }


@registry.tool(
    "export_ply",
    "Export the scene's meshes (or only the selected ones) as a PLY file under the files root.",
    toolset="import_export",
    idempotent=True,
    output=EXPORT_OUTPUT,
)
@registry.op(
    "file.export_ply",
    path=Param(NAME, about=PATH_ABOUT + " (.ply)"),
    selected_only=Param(BOOLEAN, False, about="Only the selected objects"),
)
def file_export_ply(ctx, path, selected_only):
    return export_file("file.export_ply", "ply", path, selected_only)


@registry.tool(
    "export_usd",
    "Export the scene (or only the selected objects) as a USD stage under the files root; "
    "not_available where this Blender was built without USD.",
    toolset="import_export",
    idempotent=True,
    output=EXPORT_OUTPUT,
)
@registry.op(
    "file.export_usd",
    path=Param(NAME, about=PATH_ABOUT + " (.usd; .usda/.usdc/.usdz are kept as given)"),
    selected_only=Param(BOOLEAN, False, about="Only the selected objects"),
)
def file_export_usd(ctx, path, selected_only):
    return export_file("file.export_usd", "usd", path, selected_only)


@registry.tool(
    "export_selected",
    "Export only the named objects, in any format (gltf, glb, fbx, obj, stl, ply, usd), to a file "
    "under the files root; the scene's selection is left as it was.",
    toolset="import_export",
    idempotent=True,
    output=EXPORT_OUTPUT,
)
@registry.op(
    "file.export_selected",
    path=Param(NAME, about=PATH_ABOUT),
    format=Param(one_of(*EXPORT_FORMATS), about="The file format"),
    objects=Param(array_of(NAME, 1, 1000), about="Names of the objects to export"),
)
def file_export_selected(ctx, path, format, objects):
    return export_file("file.export_selected", format, path, objects=objects)
