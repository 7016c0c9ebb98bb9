"""Which Blender operator imports or exports each file format, by Blender version (pure
Python, no bpy: unit-tested without Blender).

Operators moved over time, and a version can have both the old and the new one:
- OBJ: C++ wm.obj_import / wm.obj_export since 3.2; the Python add-on's
  import_scene.obj / export_scene.obj are gone in 4.0.
- PLY: C++ wm.ply_import / wm.ply_export since 3.6; the add-on's import_mesh.ply /
  export_mesh.ply are gone in 4.0.
- STL: C++ wm.stl_import since 3.6 and wm.stl_export since 4.1; the add-on's
  import_mesh.stl / export_mesh.stl are gone in 4.2.
- glTF and FBX are bundled add-ons (import_scene.gltf / import_scene.fbx) that may need enabling.
- USD (wm.usd_import / wm.usd_export) exists only where Blender was built with USD
  (Debian's 3.4 is not): the caller checks the operator really exists.

Each function lists the candidates for a version, preferred first; the caller takes the
first one this Blender actually has.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FileOperator:
    operator: str  # "wm.obj_import"
    addon: str = None  # the bundled add-on module that provides it, if any
    selection_flag: str = None  # an exporter's "only the selected objects" property
    extra: tuple = ()  # fixed (property, value) pairs


IMPORT_FORMATS = ("gltf", "fbx", "obj", "stl", "ply", "usd")
EXPORT_FORMATS = ("gltf", "glb", "fbx", "obj", "stl", "ply", "usd")

# What a file of each format ends in (the first is what an export appends).
SUFFIXES = {
    "gltf": (".gltf", ".glb"),
    "glb": (".glb",),
    "fbx": (".fbx",),
    "obj": (".obj",),
    "stl": (".stl",),
    "ply": (".ply",),
    "usd": (".usd", ".usda", ".usdc", ".usdz"),
}


def _version(version):
    return tuple(int(part) for part in tuple(version)[:3]) + (0,) * (3 - len(tuple(version)[:3]))


def importer_candidates(version, file_format):
    """The import operators for `file_format` in Blender `version` (a tuple), preferred first."""
    v = _version(version)
    if file_format == "gltf":
        return (FileOperator("import_scene.gltf", "io_scene_gltf2"),)
    if file_format == "fbx":
        return (FileOperator("import_scene.fbx", "io_scene_fbx"),)
    if file_format == "obj":
        return _kept(((3, 2, 0), None, FileOperator("wm.obj_import")),
                     (None, (4, 0, 0), FileOperator("import_scene.obj", "io_scene_obj")), v=v)
    if file_format == "stl":
        return _kept(((3, 6, 0), None, FileOperator("wm.stl_import")),
                     (None, (4, 2, 0), FileOperator("import_mesh.stl", "io_mesh_stl")), v=v)
    if file_format == "ply":
        return _kept(((3, 6, 0), None, FileOperator("wm.ply_import")),
                     (None, (4, 0, 0), FileOperator("import_mesh.ply", "io_mesh_ply")), v=v)
    if file_format == "usd":
        return (FileOperator("wm.usd_import"),)
    raise ValueError(f"unknown import format {file_format!r}")


def exporter_candidates(version, file_format):
    """The export operators for `file_format` in Blender `version`, preferred first."""
    v = _version(version)
    if file_format in ("gltf", "glb"):
        kind = "GLTF_SEPARATE" if file_format == "gltf" else "GLB"
        return (FileOperator("export_scene.gltf", "io_scene_gltf2", "use_selection", (("export_format", kind),)),)
    if file_format == "fbx":
        return (FileOperator("export_scene.fbx", "io_scene_fbx", "use_selection"),)
    if file_format == "obj":
        return _kept(((3, 2, 0), None, FileOperator("wm.obj_export", None, "export_selected_objects")),
                     (None, (4, 0, 0), FileOperator("export_scene.obj", "io_scene_obj", "use_selection")), v=v)
    if file_format == "stl":
        return _kept(((4, 1, 0), None, FileOperator("wm.stl_export", None, "export_selected_objects")),
                     (None, (4, 2, 0), FileOperator("export_mesh.stl", "io_mesh_stl", "use_selection")), v=v)
    if file_format == "ply":
        return _kept(((3, 6, 0), None, FileOperator("wm.ply_export", None, "export_selected_objects")),
                     (None, (4, 0, 0), FileOperator("export_mesh.ply", "io_mesh_ply", "use_selection")), v=v)
    if file_format == "usd":
        return (FileOperator("wm.usd_export", None, "selected_objects_only"),)
    raise ValueError(f"unknown export format {file_format!r}")


def _kept(*ranges, v):
    """The operators whose [since, until) range holds version `v`."""
    return tuple(op for since, until, op in ranges if (since is None or v >= since) and (until is None or v < until))


def suffix_matches(path, file_format):
    """Whether `path` ends in one of `file_format`'s suffixes (case-insensitive)."""
    return path.lower().endswith(SUFFIXES[file_format])


def export_path(path, file_format):
    """`path` with the format's file suffix: kept if it already ends in one the format writes
    (.usda stays .usda), else the format's first one appended."""
    kept = SUFFIXES[file_format][:1] if file_format == "gltf" else SUFFIXES[file_format]
    return path if path.lower().endswith(kept) else path + SUFFIXES[file_format][0]


def numpy_version_tuple(text):
    """'1.24.2' -> (1, 24, 2); a suffix such as 'rc1' ends a part."""
    parts = []
    for part in text.split(".")[:3]:
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        parts.append(int(digits or 0))
    return tuple(parts) + (0,) * (3 - len(parts))


def numpy_aliases_to_restore(numpy_version):
    """The numpy type aliases an older glTF importer still uses (Blender 3.4's calls
    `np.bool`) that numpy 1.24 removed; numpy 2.0 brought `np.bool` back."""
    v = tuple(numpy_version)
    return ("bool",) if (1, 24, 0) <= v < (2, 0, 0) else ()


def has_temp_override(version):
    """bpy.context.temp_override exists from 3.2; before, ops took a context dict."""
    return _version(version) >= (3, 2, 0)
