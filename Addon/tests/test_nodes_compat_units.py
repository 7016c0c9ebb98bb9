"""Unit tests of nodes_compat: the Blender-version guards of the nodes toolset (no Blender)."""

import pytest

from bmcp_addon import nodes_compat as compat


@pytest.mark.parametrize("old, new", compat.PRINCIPLED_RENAMES)
def test_principled_names_follow_the_version(old, new):
    for given in (old, new, old.lower(), new.upper()):
        assert compat.principled_input_name((3, 4, 1), given) == old
        assert compat.principled_input_name((3, 6), given) == old
        assert compat.principled_input_name((4, 0, 0), given) == new
        assert compat.principled_input_name((5, 0, 0), given) == new


def test_principled_unchanged_names_pass_through():
    for version in ((3, 4), (4, 2), (5, 0)):
        assert compat.principled_input_name(version, "Base Color") == "Base Color"
        assert compat.principled_input_name(version, "Roughness") == "Roughness"
        assert compat.principled_input_name(version, "Emission Strength") == "Emission Strength"


def test_version_strings_and_tuples():
    assert compat.version_tuple("4.2.1") == (4, 2)
    assert compat.version_tuple((3, 4, 1)) == (3, 4)
    assert compat.principled_input_name("4.1.0", "Emission") == "Emission Color"


def test_group_socket_api_switches_at_4_0():
    assert not compat.uses_interface_api((3, 4, 1))
    assert not compat.uses_interface_api((3, 6, 9))
    assert compat.uses_interface_api((4, 0, 0))
    assert compat.uses_interface_api((5, 0, 0))


def test_socket_idnames():
    assert compat.socket_idname("float") == "NodeSocketFloat"
    assert compat.socket_idname("INT") == "NodeSocketInt"
    assert compat.socket_idname("GEOMETRY") == "NodeSocketGeometry"
    with pytest.raises(KeyError):
        compat.socket_idname("NUMBER")


def test_musgrave_becomes_noise_in_4_1():
    assert compat.procedural_texture_node((3, 4), "musgrave") == "ShaderNodeTexMusgrave"
    assert compat.procedural_texture_node((4, 0), "musgrave") == "ShaderNodeTexMusgrave"
    assert compat.procedural_texture_node((4, 1), "musgrave") == "ShaderNodeTexNoise"
    assert compat.procedural_texture_node((5, 0), "noise") == "ShaderNodeTexNoise"
    assert compat.procedural_texture_node((3, 4), "checker") == "ShaderNodeTexChecker"


def test_texture_output_sockets():
    assert compat.texture_output_socket((3, 4), "voronoi", "Fac") == "Distance"
    assert compat.texture_output_socket((3, 4), "voronoi", "Color") == "Color"
    assert compat.texture_output_socket((3, 4), "musgrave", "Color") == "Fac"
    assert compat.texture_output_socket((4, 1), "musgrave", "Color") == "Color"
    assert compat.texture_output_socket((5, 0), "noise", "Fac") == "Fac"


def test_non_color_space():
    assert compat.non_color_space(["sRGB", "Non-Color", "Raw"]) == "Non-Color"
    assert compat.non_color_space(["sRGB", "Raw"]) == "Raw"
    assert compat.non_color_space(["sRGB"]) is None
