"""Blender version differences the modeling toolset meets, as pure functions of the
version tuple (no bpy import), so each guard is unit-tested without Blender.

Every function takes `version` as bpy.app.version (a tuple like (3, 4, 1)).
"""


def _at_least(version, *wanted):
    return tuple(version[:len(wanted)]) >= wanted


def boolean_solver_candidates(version, solver):
    """Boolean modifier solver identifiers to try, best first, for a solver asked by name.

    4.5 renamed the float solver "FAST" -> "FLOAT" and added "MANIFOLD"; the caller picks the
    first identifier the running Blender lists (its enum items), so a build in between works.
    Returns () where the solver does not exist in that version.
    """
    if solver == "exact":
        return ("EXACT",)
    if solver == "fast":
        return ("FLOAT", "FAST") if _at_least(version, 4, 5) else ("FAST",)
    if solver == "manifold":
        return ("MANIFOLD",) if _at_least(version, 4, 5) else ()
    raise ValueError(f"unknown boolean solver {solver!r}")


def smooth_by_angle_method(version):
    """How shade-smooth-by-angle is written: 'auto_smooth' (mesh.use_auto_smooth and
    auto_smooth_angle, up to 4.0) or 'sharp_from_angle' (mesh.set_sharp_from_angle, 4.1+,
    where use_auto_smooth is gone)."""
    return "sharp_from_angle" if _at_least(version, 4, 1) else "auto_smooth"


# uv.unwrap's methods by the version that added them.
_UNWRAP_METHODS = (
    ("angle_based", "ANGLE_BASED", (2, 80)),
    ("conformal", "CONFORMAL", (2, 80)),
    ("minimum_stretch", "MINIMUM_STRETCH", (4, 3)),
)
UNWRAP_METHOD_NAMES = tuple(name for name, _, _ in _UNWRAP_METHODS)


def unwrap_method(version, name):
    """The uv.unwrap method identifier for `name`, or None where that Blender lacks it."""
    for known, identifier, since in _UNWRAP_METHODS:
        if known == name:
            return identifier if _at_least(version, *since) else None
    raise ValueError(f"unknown unwrap method {name!r}")


def unwrap_methods_available(version):
    return tuple(name for name, _, since in _UNWRAP_METHODS if _at_least(version, *since))


def context_override_style(version):
    """'temp_override' (bpy.context.temp_override, 3.2+) or 'dict' (the older positional
    override dictionary, removed in 4.0)."""
    return "temp_override" if _at_least(version, 3, 2) else "dict"
