"""import_export_compat: which operator reads/writes each format per Blender version (no Blender)."""

import pytest

from bmcp_addon.import_export_compat import (EXPORT_FORMATS, IMPORT_FORMATS, export_path, exporter_candidates,
                                             has_temp_override, importer_candidates, numpy_aliases_to_restore,
                                             numpy_version_tuple, suffix_matches)


def names(candidates):
    return [c.operator for c in candidates]


@pytest.mark.parametrize("version, fmt, expected", [
    ((3, 4, 1), "obj", ["wm.obj_import", "import_scene.obj"]),
    ((3, 1, 0), "obj", ["import_scene.obj"]),
    ((4, 0, 0), "obj", ["wm.obj_import"]),
    ((3, 4, 1), "stl", ["import_mesh.stl"]),
    ((3, 6, 0), "stl", ["wm.stl_import", "import_mesh.stl"]),
    ((4, 2, 0), "stl", ["wm.stl_import"]),
    ((5, 0, 0), "stl", ["wm.stl_import"]),
    ((3, 4, 1), "ply", ["import_mesh.ply"]),
    ((3, 6, 2), "ply", ["wm.ply_import", "import_mesh.ply"]),
    ((4, 0, 0), "ply", ["wm.ply_import"]),
    ((3, 4, 1), "gltf", ["import_scene.gltf"]),
    ((5, 0, 0), "fbx", ["import_scene.fbx"]),
    ((3, 4, 1), "usd", ["wm.usd_import"]),
])
def test_importers_by_version(version, fmt, expected):
    assert names(importer_candidates(version, fmt)) == expected


@pytest.mark.parametrize("version, fmt, expected, flag", [
    ((3, 4, 1), "ply", ["export_mesh.ply"], "use_selection"),
    ((3, 6, 0), "ply", ["wm.ply_export", "export_mesh.ply"], "export_selected_objects"),
    ((4, 5, 0), "ply", ["wm.ply_export"], "export_selected_objects"),
    ((3, 4, 1), "stl", ["export_mesh.stl"], "use_selection"),
    ((4, 1, 0), "stl", ["wm.stl_export", "export_mesh.stl"], "export_selected_objects"),
    ((4, 2, 0), "stl", ["wm.stl_export"], "export_selected_objects"),
    ((4, 0, 0), "obj", ["wm.obj_export"], "export_selected_objects"),
    ((3, 4, 1), "usd", ["wm.usd_export"], "selected_objects_only"),
    ((3, 4, 1), "fbx", ["export_scene.fbx"], "use_selection"),
])
def test_exporters_by_version(version, fmt, expected, flag):
    candidates = exporter_candidates(version, fmt)
    assert names(candidates) == expected
    assert candidates[0].selection_flag == flag


def test_gltf_and_glb_share_the_exporter_with_their_own_file_kind():
    assert dict(exporter_candidates((3, 4), "gltf")[0].extra) == {"export_format": "GLTF_SEPARATE"}
    assert dict(exporter_candidates((5, 0), "glb")[0].extra) == {"export_format": "GLB"}
    assert exporter_candidates((3, 4), "glb")[0].addon == "io_scene_gltf2"


@pytest.mark.parametrize("version", [(3, 4, 1), (4, 2, 0), (5, 0, 0)])
def test_every_format_has_an_operator_in_every_served_version(version):
    for fmt in IMPORT_FORMATS:
        assert importer_candidates(version, fmt)
    for fmt in EXPORT_FORMATS:
        assert exporter_candidates(version, fmt)


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        importer_candidates((3, 4), "dxf")
    with pytest.raises(ValueError):
        exporter_candidates((3, 4), "dxf")


def test_suffixes_and_export_paths():
    assert suffix_matches("a/B.GLB", "gltf") and suffix_matches("x.gltf", "gltf")
    assert not suffix_matches("x.obj", "stl")
    assert suffix_matches("stage.usdz", "usd")
    assert export_path("out", "ply") == "out.ply"
    assert export_path("out.PLY", "ply") == "out.PLY"
    assert export_path("stage.usda", "usd") == "stage.usda"
    assert export_path("scene.glb", "gltf") == "scene.glb.gltf"  # a separate glTF is .gltf
    assert export_path("scene", "glb") == "scene.glb"


def test_numpy_aliases_only_for_numpy_1_24_to_2():
    assert numpy_version_tuple("1.24.2") == (1, 24, 2)
    assert numpy_version_tuple("2.0.0rc1") == (2, 0, 0)
    assert numpy_version_tuple("1.26") == (1, 26, 0)
    assert numpy_aliases_to_restore((1, 23, 5)) == ()
    assert numpy_aliases_to_restore((1, 24, 2)) == ("bool",)
    assert numpy_aliases_to_restore((1, 26, 4)) == ("bool",)
    assert numpy_aliases_to_restore((2, 1, 0)) == ()


def test_temp_override_from_3_2():
    assert not has_temp_override((3, 1, 2))
    assert has_temp_override((3, 2, 0)) and has_temp_override((5, 0, 0))
