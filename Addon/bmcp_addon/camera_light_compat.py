"""Blender-version guards of the camera_light toolset, as pure functions (no bpy import here,
so they are unit-tested without Blender: tests/test_camera_light_compat_units.py).

The differences they cover:
- The Eevee render engine id: 'BLENDER_EEVEE' up to 4.1, 'BLENDER_EEVEE_NEXT' in 4.2-4.5,
  'BLENDER_EEVEE' again from 5.0. Render engines are registered at run time, so the RNA
  enum of RenderSettings.engine read without a scene lists only a static default: the ops
  ask the scene itself (a refused assignment names every engine), and `engine_id` picks
  from what it answered, falling back to the version where it answered nothing.
- Colour-management looks: 3.x names them after their contrast ('High Contrast'), 4.0+
  after their view transform too ('AgX - High Contrast'); `look_identifier` accepts both.
- World nodes: `World.use_nodes` must be switched on before 5.0; from 5.0 it is deprecated
  (worlds always use nodes) and setting it is not needed.
- The world's Background node keeps its input names ('Color', 'Strength') everywhere, but
  the node is found by type, not by its (user-renameable, localisable) name.
"""

import math
import re

ENGINES = ("workbench", "eevee", "cycles")

# Node types (bl_idname) the world ops build with; unchanged from 2.8 to 5.x.
BACKGROUND_NODE = "ShaderNodeBackground"
WORLD_OUTPUT_NODE = "ShaderNodeOutputWorld"
ENVIRONMENT_NODE = "ShaderNodeTexEnvironment"
MAPPING_NODE = "ShaderNodeMapping"
TEXCOORD_NODE = "ShaderNodeTexCoord"

_ENUM_ERROR = re.compile(r"not found in \((.*)\)\s*$", re.S)


def eevee_engine_id(version, available=()):
    """The Eevee engine's id in Blender `version` (a tuple), preferring what `available`
    (the ids the running Blender offers) holds."""
    names = set(available)
    for candidate in ("BLENDER_EEVEE_NEXT", "BLENDER_EEVEE"):
        if candidate in names:
            return candidate
    return "BLENDER_EEVEE_NEXT" if (4, 2) <= tuple(version[:2]) < (5, 0) else "BLENDER_EEVEE"


def engine_id(version, engine, available=()):
    """RenderSettings.engine's value for one of ENGINES, or None where `available` (when
    known) shows this Blender has no such engine."""
    if engine == "eevee":
        wanted = eevee_engine_id(version, available)
    elif engine == "cycles":
        wanted = "CYCLES"
    elif engine == "workbench":
        wanted = "BLENDER_WORKBENCH"
    else:
        raise ValueError(f"unknown engine {engine!r} (engines: {', '.join(ENGINES)})")
    if available and wanted not in set(available):
        return None
    return wanted


def engine_name(identifier):
    """The ENGINES name of a RenderSettings.engine value (other engines keep their id)."""
    return {
        "BLENDER_EEVEE": "eevee",
        "BLENDER_EEVEE_NEXT": "eevee",
        "CYCLES": "cycles",
        "BLENDER_WORKBENCH": "workbench",
    }.get(identifier, identifier)


def enum_items_from_error(message):
    """The enum identifiers Blender lists when it refuses an assignment:
    'bpy_struct: item.attr = val: enum "x" not found in ('A', 'B c')' -> ('A', 'B c')."""
    match = _ENUM_ERROR.search(message)
    if not match:
        return ()
    return tuple(re.findall(r"'((?:[^'\\]|\\.)*)'", match.group(1)))


def look_identifier(available, view_transform, look):
    """The look identifier among `available` meaning `look`, or None. 'None' always means no
    look; a 3.x name ('High Contrast') finds its 4.x form ('AgX - High Contrast') and back."""
    names = list(available)
    folded = {name.casefold(): name for name in names}
    if look.casefold() == "none":
        return folded.get("none", "None")
    for candidate in (look, f"{view_transform} - {look}"):
        if candidate.casefold() in folded:
            return folded[candidate.casefold()]
    # '<view> - <look>' given where this Blender names looks without their view.
    bare = look.split(" - ", 1)[1] if " - " in look else None
    if bare and bare.casefold() in folded:
        return folded[bare.casefold()]
    return None


def world_needs_use_nodes(version):
    """Whether World.use_nodes must be set for a world's node tree to render (before 5.0)."""
    return tuple(version[:2]) < (5, 0)


def sun_direction(azimuth_deg, elevation_deg):
    """Unit vector from the scene towards the sun. Azimuth is measured from +Y (north)
    clockwise towards +X (east); elevation above the horizon (XY plane)."""
    azimuth = math.radians(azimuth_deg)
    elevation = math.radians(elevation_deg)
    return (
        math.cos(elevation) * math.sin(azimuth),
        math.cos(elevation) * math.cos(azimuth),
        math.sin(elevation),
    )


def three_point_offsets(distance, height):
    """Where key, fill and rim stand relative to the target seen from the front (-Y):
    key 45° to the right and raised, fill 45° to the left and lower, rim behind."""
    step = distance / math.sqrt(2.0)
    return {
        "Key": (step, -step, height),
        "Fill": (-step, -step, height * 0.5),
        "Rim": (0.0, distance, height * 1.2),
    }
