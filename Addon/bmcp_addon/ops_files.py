"""file.save, file.open, file.export, confined to the allowed files root."""

import os

import bpy

from . import exporters
from .file_paths import resolve_under_root, with_suffix
from .ops_common import registry
from .registry import BOOLEAN, NAME, OpError, Param, one_of
from .settings import files_root


def _allowed(path, op_name, must_exist=False):
    root = files_root()
    resolved = resolve_under_root(path, root, op_name)
    if must_exist and not os.path.isfile(resolved):
        raise OpError("not_found", f"{op_name}: no file '{path}' under {os.path.realpath(root)}")
    if not must_exist:
        os.makedirs(os.path.dirname(resolved), exist_ok=True)
    return resolved


@registry.op("file.save", path=Param(NAME))
def file_save(ctx, path):
    """Writes a copy: the open file (and the session's checkpoints) stay as they are."""
    target = _allowed(with_suffix(path, ".blend"), "file.save")
    bpy.ops.wm.save_as_mainfile(filepath=target, copy=True)
    return {"path": target, "size": os.path.getsize(target)}


@registry.mutating_op("file.open", path=Param(NAME))
def file_open(ctx, path):
    """Replaces the whole scene; in a session, the session continues from this file."""
    source = _allowed(path, "file.open", must_exist=True)
    try:
        bpy.ops.wm.open_mainfile(filepath=source, load_ui=False)
    except RuntimeError as exc:
        raise OpError("file_unreadable", f"file.open: cannot open '{source}': {exc}") from None
    scene = bpy.context.scene
    return {"path": source, "scene": scene.name, "object_count": len(scene.objects)}


@registry.op(
    "file.export",
    path=Param(NAME),
    format=Param(one_of(*exporters.FORMATS)),
    selected_only=Param(BOOLEAN, False),
)
def file_export(ctx, path, format, selected_only):
    target = _allowed(with_suffix(path, exporters.SUFFIXES[format]), "file.export")
    try:
        exporter = exporters.find_exporter(format)
        exporters.run_exporter(exporter, target, selected_only)
    except exporters.ExporterUnavailable as exc:
        raise OpError("exporter_unavailable", f"file.export: {exc}", format=format) from None
    if not os.path.isfile(target):
        raise OpError("command_failed", f"file.export: the {format} exporter wrote no file at '{target}'")
    written = [target] + _companions(target, format)
    return {
        "path": target,
        "format": format,
        "size": os.path.getsize(target),
        "files": [{"path": p, "size": os.path.getsize(p)} for p in written],
    }


def _companions(target, format):
    """Side files some formats write next to the main one (.bin for glTF, .mtl for OBJ)."""
    stem = os.path.splitext(target)[0]
    side = {"gltf": [stem + ".bin"], "obj": [stem + ".mtl"]}.get(format, [])
    return [p for p in side if os.path.isfile(p)]
