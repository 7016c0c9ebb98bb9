"""Physics API differences across Blender versions (pure Python, no bpy: unit-tested
without Blender).

- The rigid-body world's solver steps: `steps_per_second` until 2.90, then
  `substeps_per_frame` (2.91+).
- Rigid-body collision shapes: 'COMPOUND' (a parent's children as one body) from 2.91.
- Cloth's internal springs and pressure (`use_internal_springs`, `use_pressure`) from 2.83.
- The cloth modifier's pin group stays `settings.vertex_group_mass` in every version we serve.
- Operators under `blender -b` get their context from bpy.context.temp_override (3.2+), or a
  context dict passed first (older).
"""


def _version(version):
    parts = tuple(int(part) for part in tuple(version)[:3])
    return parts + (0,) * (3 - len(parts))


BASE_SHAPES = ("BOX", "SPHERE", "CAPSULE", "CYLINDER", "CONE", "CONVEX_HULL", "MESH")


def rigid_body_shapes(version):
    """The collision shapes a rigid body can take in Blender `version`."""
    return BASE_SHAPES + (("COMPOUND",) if _version(version) >= (2, 91, 0) else ())


def world_substeps_property(version):
    """The rigid-body world's property for solver substeps."""
    return "substeps_per_frame" if _version(version) >= (2, 91, 0) else "steps_per_second"


def cloth_pin_group_property(version):
    """The ClothSettings property naming the pinning vertex group."""
    return "vertex_group_mass"


def context_override_style(version):
    """'temp_override' (3.2+) or 'dict' (a context dict passed to the operator)."""
    return "temp_override" if _version(version) >= (3, 2, 0) else "dict"
