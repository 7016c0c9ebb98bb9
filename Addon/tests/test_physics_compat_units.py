"""physics_compat: physics API differences per Blender version (no Blender)."""

from bmcp_addon.physics_compat import (cloth_pin_group_property, context_override_style, rigid_body_shapes,
                                       world_substeps_property)


def test_compound_shape_from_2_91():
    assert "COMPOUND" not in rigid_body_shapes((2, 90, 1))
    assert rigid_body_shapes((3, 4, 1))[-1] == "COMPOUND"
    assert {"BOX", "SPHERE", "CONVEX_HULL", "MESH"} <= set(rigid_body_shapes((5, 0, 0)))


def test_world_substeps_renamed_in_2_91():
    assert world_substeps_property((2, 90, 0)) == "steps_per_second"
    assert world_substeps_property((3, 4, 1)) == "substeps_per_frame"
    assert world_substeps_property((5, 0)) == "substeps_per_frame"


def test_context_override_style():
    assert context_override_style((3, 1, 0)) == "dict"
    assert context_override_style((3, 4, 1)) == "temp_override"
    assert context_override_style((5, 0, 0)) == "temp_override"


def test_pin_group_property():
    assert cloth_pin_group_property((3, 4, 1)) == cloth_pin_group_property((5, 0, 0)) == "vertex_group_mass"
