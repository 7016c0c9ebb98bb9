"""file.save, file.open, file.export, confined to the allowed files root; what they
write is readable by its owner only (private_files)."""

import os

import bpy

from . import exporters
from .file_paths import resolve_under_root, with_suffix, writable_under_root
from .ops_common import registry
from .private_files import blender_writes, blender_writes_with_side_files
from .registry import BOOLEAN, NAME, OpError, Param, one_of
from .settings import files_root


def _existing(path, op_name):
    root = files_root()
    resolved = resolve_under_root(path, root, op_name)
    if not os.path.isfile(resolved):
        raise OpError("not_found", f"{op_name}: no file '{path}' under {os.path.realpath(root)}")
    return resolved


@registry.tool(
    "save_blend",
    "Save a copy of the scene as a .blend file under the addon's files root (the open file stays as it is).",
    toolset="core",
    output={"path": {"type": "string"}, "size": {"type": "integer", "description": "Bytes written"}},
)
@registry.op("file.save", path=Param(NAME, about="Path under the files root (.blend is added if missing)"))
def file_save(ctx, path):
    """Writes a copy: the open file (and the session's checkpoints) stay as they are.
    Saved under a fresh name and renamed, so Blender keeps no .blend1 backup of what it replaced."""
    target = writable_under_root(with_suffix(path, ".blend"), files_root(), "file.save")
    blender_writes(target, lambda temporary: bpy.ops.wm.save_as_mainfile(filepath=temporary, copy=True))
    return {"path": target, "size": os.path.getsize(target)}


@registry.tool(
    "open_blend",
    "Open a .blend file from under the addon's files root, replacing the whole scene.",
    toolset="core",
    destructive=True,
    output={"path": {"type": "string"}, "scene": {"type": "string"}, "object_count": {"type": "integer"}},
)
@registry.mutating_op("file.open", path=Param(NAME, about="Path of an existing .blend file under the files root"))
def file_open(ctx, path):
    """Replaces the whole scene; in a session, the session continues from this file."""
    source = _existing(path, "file.open")
    try:
        bpy.ops.wm.open_mainfile(filepath=source, load_ui=False)
    except RuntimeError as exc:
        raise OpError("file_unreadable", f"file.open: cannot open '{source}': {exc}") from None
    scene = bpy.context.scene
    return {"path": source, "scene": scene.name, "object_count": len(scene.objects)}


@registry.tool(
    "export_scene",
    "Export the scene as glTF/GLB, FBX, OBJ or STL under the addon's files root.",
    toolset="core",
    output={
        "path": {"type": "string"},
        "format": {"type": "string"},
        "size": {"type": "integer"},
        "files": {"type": "array", "items": {"type": "object"}, "description": "Every file written (.bin, .mtl beside)"},
    },
)
@registry.op(
    "file.export",
    path=Param(NAME, about="Path under the files root (the format's suffix is added if missing)"),
    format=Param(one_of(*exporters.FORMATS), about="File format"),
    selected_only=Param(BOOLEAN, False, about="Only the selected objects"),
)
def file_export(ctx, path, format, selected_only):
    target = writable_under_root(with_suffix(path, exporters.SUFFIXES[format]), files_root(), "file.export")
    try:
        exporter = exporters.find_exporter(format)
        written = blender_writes_with_side_files(
            target, lambda staged: exporters.run_exporter(exporter, staged, selected_only)
        )
    except exporters.ExporterUnavailable as exc:
        raise OpError("exporter_unavailable", f"file.export: {exc}", format=format) from None
    if target not in written:
        raise OpError("command_failed", f"file.export: the {format} exporter wrote no file at '{target}'")
    return {
        "path": target,
        "format": format,
        "size": os.path.getsize(target),
        # With side files some formats write next to the main one (.bin for glTF, .mtl for OBJ).
        "files": [{"path": p, "size": os.path.getsize(p)} for p in written],
    }
