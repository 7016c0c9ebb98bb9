"""Unit tests of analysis_compat (no Blender): version guards and the data-path parser."""

import pytest

from bmcp_addon import analysis_compat as compat


@pytest.mark.parametrize("version, expected", [((3, 4, 1), "GPENCIL"), ((4, 2, 0), "GPENCIL"),
                                               ((4, 3, 0), "GREASEPENCIL"), ((5, 0, 0), "GREASEPENCIL")])
def test_grease_pencil_object_type(version, expected):
    assert compat.grease_pencil_object_type(version) == expected
    assert compat.object_type_for(version, "GPENCIL") == expected
    assert compat.object_type_for(version, "GREASEPENCIL") == expected
    assert compat.object_type_for(version, "MESH") == "MESH"


def test_data_attribute_by_version():
    assert compat.data_attribute((3, 4, 1), "grease_pencils") == "grease_pencils"
    assert compat.data_attribute((4, 3, 0), "grease_pencils") == "grease_pencils_v3"
    assert compat.data_attribute((5, 0, 0), "grease_pencils") == "grease_pencils"
    assert compat.data_attribute((3, 2, 0), "hair_curves") is None
    assert compat.data_attribute((3, 4, 0), "hair_curves") == "hair_curves"
    assert compat.data_attribute((5, 0, 0), "materials") == "materials"


def test_every_data_kind_maps_somewhere_in_current_versions():
    for version in ((3, 4, 1), (4, 2, 0), (4, 5, 0), (5, 0, 0)):
        assert all(compat.data_attribute(version, kind) for kind in compat.DATA_KINDS)


@pytest.mark.parametrize("version, expected", [((3, 4, 1), True), ((4, 0, 2), True), ((4, 1, 0), False), ((5, 0, 0), False)])
def test_mesh_has_auto_smooth(version, expected):
    assert compat.mesh_has_auto_smooth(version) is expected


@pytest.mark.parametrize("given, expected", [
    ("mesh.bevel", "mesh.bevel"), ("MESH_OT_bevel", "mesh.bevel"), ("OBJECT_OT_modifier_add", "object.modifier_add"),
    ("bevel", None), ("a.b.c", None), (".bevel", None), ("mesh.", None), ("mesh.be vel", None), (3, None),
])
def test_operator_python_name(given, expected):
    assert compat.operator_python_name(given) == expected


def test_parse_data_path_steps():
    assert compat.parse_data_path("objects['Cube'].data.vertices[0].co") == [
        ("attr", "objects"), ("key", "Cube"), ("attr", "data"), ("attr", "vertices"), ("index", 0), ("attr", "co")]
    assert compat.parse_data_path('bpy.data.materials["My ]Mat"]') == [("attr", "materials"), ("key", "My ]Mat")]
    assert compat.parse_data_path("scenes[-1]") == [("attr", "scenes"), ("index", -1)]


@pytest.mark.parametrize("path, fragment", [
    ("", "empty"), ("objects.", "ends with"), ("objects..data", "unexpected '.'"), ("objects[Cube]", "quoted name"),
    ("objects['Cube'", "never closed"), ("objects.__class__", "private"), ("['Cube']", "must start"),
    ("objects['Cube']data", "unexpected"), ("objects()", "unexpected '('"),
])
def test_parse_data_path_refusals(path, fragment):
    with pytest.raises(ValueError, match=None) as caught:
        compat.parse_data_path(path)
    assert fragment in str(caught.value)
