"""Scene exporters by format, guarded across Blender versions.

Operator names moved over time: OBJ has the C++ wm.obj_export since 3.2 (the
Python export_scene.obj was removed in 4.0); STL has export_mesh.stl (an add-on)
up to 4.1 and wm.stl_export from 4.2; FBX and glTF are bundled add-ons that may
need enabling. Each format lists its candidates, newest first.
"""

from dataclasses import dataclass

from .ops_import_common import bpy_operator, first_available, missing_module


@dataclass(frozen=True)
class Exporter:
    operator: str  # "wm.obj_export"
    selection_flag: str  # its "only selected objects" property
    addon: str = None  # add-on module that provides it, if any
    extra: tuple = ()  # fixed (property, value) pairs


FORMATS = {
    "gltf": (Exporter("export_scene.gltf", "use_selection", "io_scene_gltf2", (("export_format", "GLTF_SEPARATE"),)),),
    "glb": (Exporter("export_scene.gltf", "use_selection", "io_scene_gltf2", (("export_format", "GLB"),)),),
    "fbx": (Exporter("export_scene.fbx", "use_selection", "io_scene_fbx"),),
    "obj": (
        Exporter("wm.obj_export", "export_selected_objects"),
        Exporter("export_scene.obj", "use_selection", "io_scene_obj"),
    ),
    "stl": (
        Exporter("wm.stl_export", "export_selected_objects"),
        Exporter("export_mesh.stl", "use_selection", "io_mesh_stl"),
    ),
}
SUFFIXES = {"gltf": ".gltf", "glb": ".glb", "fbx": ".fbx", "obj": ".obj", "stl": ".stl"}


class ExporterUnavailable(Exception):
    pass


def find_exporter(format_name):
    """The first usable exporter for the format, enabling its add-on if needed."""
    candidates = FORMATS[format_name]
    found = first_available(candidates)
    if found is not None:
        return found
    tried = ", ".join(e.operator for e in candidates)
    raise ExporterUnavailable(f"no {format_name} exporter in this Blender (tried {tried})")


def run_exporter(exporter, filepath, selected_only):
    """Run it; a missing Python dependency of the exporter is ExporterUnavailable."""
    properties = dict(exporter.extra)
    properties[exporter.selection_flag] = selected_only
    try:
        bpy_operator(exporter.operator)(filepath=filepath, **properties)
    except RuntimeError as exc:
        missing = missing_module(str(exc))
        if missing is not None:
            raise ExporterUnavailable(f"{exporter.operator} cannot run in this Blender: {missing}") from None
        raise
