"""The modeling toolset's version guards (pure Python, no Blender)."""

import pytest

from bmcp_addon import modeling_compat as compat


@pytest.mark.parametrize(
    "version, solver, expected",
    [
        ((3, 4, 1), "fast", ("FAST",)),
        ((4, 4, 0), "fast", ("FAST",)),
        ((4, 5, 0), "fast", ("FLOAT", "FAST")),
        ((5, 0, 0), "fast", ("FLOAT", "FAST")),
        ((3, 4, 1), "exact", ("EXACT",)),
        ((5, 0, 0), "exact", ("EXACT",)),
        ((3, 4, 1), "manifold", ()),
        ((4, 5, 2), "manifold", ("MANIFOLD",)),
    ],
)
def test_boolean_solver_candidates(version, solver, expected):
    assert compat.boolean_solver_candidates(version, solver) == expected


def test_boolean_solver_unknown_is_refused():
    with pytest.raises(ValueError, match="carve"):
        compat.boolean_solver_candidates((3, 4, 1), "carve")


@pytest.mark.parametrize(
    "version, expected",
    [((3, 4, 1), "auto_smooth"), ((4, 0, 2), "auto_smooth"), ((4, 1, 0), "sharp_from_angle"), ((5, 0, 0), "sharp_from_angle")],
)
def test_smooth_by_angle_method(version, expected):
    assert compat.smooth_by_angle_method(version) == expected


def test_unwrap_methods_by_version():
    assert compat.unwrap_method((3, 4, 1), "angle_based") == "ANGLE_BASED"
    assert compat.unwrap_method((3, 4, 1), "conformal") == "CONFORMAL"
    assert compat.unwrap_method((3, 4, 1), "minimum_stretch") is None
    assert compat.unwrap_method((4, 2, 0), "minimum_stretch") is None
    assert compat.unwrap_method((4, 3, 0), "minimum_stretch") == "MINIMUM_STRETCH"
    assert compat.unwrap_methods_available((3, 4, 1)) == ("angle_based", "conformal")
    assert compat.unwrap_methods_available((5, 0, 0)) == compat.UNWRAP_METHOD_NAMES
    with pytest.raises(ValueError):
        compat.unwrap_method((3, 4, 1), "lscm")


@pytest.mark.parametrize("version, expected", [((3, 1, 0), "dict"), ((3, 2, 0), "temp_override"), ((5, 0, 0), "temp_override")])
def test_context_override_style(version, expected):
    assert compat.context_override_style(version) == expected
