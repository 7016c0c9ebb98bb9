"""list_files (what lies under the files root, with sizes) and append_from_blend (objects
out of another .blend file): the file-side tools of the import_export toolset."""

import os

import bpy

from .file_paths import resolve_under_root
from .ops_common import changed, registry, update_view_layer
from .ops_import_common import mesh_summary
from .ops_import_formats import existing_file
from .registry import BOOLEAN, INTEGER, NAME, STRING, OpError, Param, array_of, bad_params
from .settings import files_root


@registry.tool(
    "list_files",
    "List the files under the files root (the one folder import and export tools may use), with their sizes, optionally only some extensions.",
    toolset="import_export",
    output={
        "root": {"type": "string", "description": "The files root (absolute)"},
        "files": {"type": "array", "items": {"type": "object"},
                  "description": "Each file: path (relative to the root), size in bytes"},
        "count": {"type": "integer"},
        "truncated": {"type": "boolean", "description": "True if there were more than `limit` files"},
    },
)
@registry.op(
    "file.list",
    folder=Param(STRING, about="Folder to list, relative to the files root ('' for the root itself)"),
    extensions=Param(array_of(NAME, 0, 50), None,
                     about="Only files ending in one of these, e.g. ['glb', '.obj'] (case-insensitive; default: all)"),
    recursive=Param(BOOLEAN, True, about="Also list the folders inside it"),
    limit=Param(INTEGER, 500, minimum=1, maximum=5000, about="At most this many files"),
)
def file_list(ctx, folder, extensions, recursive, limit):
    root = os.path.realpath(files_root())
    base = resolve_under_root(folder or ".", root, "file.list")
    if not os.path.isdir(base):
        if os.path.isdir(root) or folder:
            raise OpError("not_found", f"file.list: no folder '{folder}' under {root}")
        return {"root": root, "files": [], "count": 0, "truncated": False}
    endings = tuple("." + e.lower().lstrip(".") for e in extensions) if extensions else None
    found, truncated = [], False
    for current, folders, names in os.walk(base):
        # Hidden names are the addon's own temporaries (.model.1a2b.tmp.obj) and dot folders.
        folders[:] = sorted(f for f in folders if not f.startswith(".")) if recursive else []
        for name in sorted(names):
            full = os.path.join(current, name)
            if name.startswith(".") or (endings and not name.lower().endswith(endings)):
                continue
            real = os.path.realpath(full)
            if not (real.startswith(root + os.sep) and os.path.isfile(real)):
                continue  # a symlink out of the root, or to no file: not offered
            if len(found) == limit:
                truncated = True
                break
            found.append({"path": os.path.relpath(full, root), "size": os.path.getsize(real)})
        if truncated:
            break
    return {"root": root, "files": found, "count": len(found), "truncated": truncated}


@registry.tool(
    "append_from_blend",
    "Append (copy in) or link objects from another .blend file under the files root; answers the objects made and their mesh counts.",
    toolset="import_export",
    output={
        "path": {"type": "string"},
        "objects": {"type": "array", "items": {"type": "object"}},
        "mesh_count": {"type": "integer"},
        "changed": {"type": "object"},
    },
)
@registry.mutating_op(
    "file.append_blend",
    path=Param(NAME, about="The .blend file, under the files root"),
    objects=Param(array_of(NAME, 1, 1000), None, about="Names of the objects to bring in (default: every object in it)"),
    link=Param(BOOLEAN, False, about="Link (stay tied to the file, not editable) instead of appending a copy"),
)
def file_append_blend(ctx, path, objects, link):
    if not path.lower().endswith(".blend"):
        raise bad_params("file.append_blend", f"param 'path' must name a .blend file, got '{path}'")
    source = existing_file("file.append_blend", path)
    try:
        with bpy.data.libraries.load(source, link=link) as (data_from, data_to):
            available = list(data_from.objects)
            wanted = objects if objects is not None else available
            missing = [name for name in wanted if name not in available]
            if missing:
                listed = ", ".join(f"'{name}'" for name in available[:30]) or "none"
                raise OpError("not_found", f"file.append_blend: no object '{missing[0]}' in '{path}' (it has: {listed})")
            data_to.objects = list(wanted)
    except OSError as exc:
        raise OpError("file_unreadable", f"file.append_blend: cannot read '{source}': {exc}") from None
    target = bpy.context.view_layer.active_layer_collection.collection
    made = []
    for obj in data_to.objects:
        if obj is not None:
            target.objects.link(obj)
            made.append(obj)
    update_view_layer()
    entries = [mesh_summary(obj) for obj in made]
    return {
        "path": source,
        "objects": entries,
        "mesh_count": sum(1 for entry in entries if entry["type"] == "MESH"),
        "changed": changed(created=[entry["name"] for entry in entries], modified=[target.name]),
    }
