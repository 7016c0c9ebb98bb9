"""All ops, gathered: importing this module registers every op module's ops
in the one shared registry (ops_common.registry).

Every op runs on Blender's main thread and receives an OpContext first,
then its validated params as keyword arguments. It returns a JSON-ready dict
or raises OpError for expected failures; anything else becomes command_failed.
Mutating ops return `"changed": {"created", "modified", "removed"}`.
"""

from . import (  # noqa: F401  (imported for their @registry.op side effect)
    ops_analysis_mesh,
    ops_analysis_rna,
    ops_analysis_scene,
    ops_anim_constraints,
    ops_anim_keys,
    ops_anim_scene,
    ops_anim_shapekeys,
    ops_camera_frame,
    ops_camera_setup,
    ops_code,
    ops_collections,
    ops_files,
    ops_history,
    ops_import_export,
    ops_import_files,
    ops_import_formats,
    ops_light_rig,
    ops_light_setup,
    ops_materials,
    ops_modeling_edit,
    ops_modeling_mesh,
    ops_modeling_objects,
    ops_modeling_text,
    ops_modeling_uv,
    ops_modifiers,
    ops_nodes_geometry,
    ops_nodes_groups,
    ops_nodes_meta,
    ops_nodes_shader,
    ops_nodes_textures,
    ops_object_edit,
    ops_objects,
    ops_physics_bodies,
    ops_physics_world,
    ops_render,
    ops_scene,
    ops_sessions,
    ops_snapshot,
    ops_world_background,
    ops_world_render,
)
from .ops_common import OpContext, blender_version, registry  # noqa: F401  (the package's op API)
