"""The import_export toolset against a real headless Blender: a scene is exported (file.export,
export_ply), then imported per format, and the imported meshes are looked at in the scene."""

import os

import pytest

from blender_helpers import addon_with_files_root, expression_json, printed as py, printed_json
from conftest import error_of


files_root, addon, client = addon_with_files_root("import-export-root")


def mesh_counts(client, name):
    """(vertices, faces) of a mesh object, read from the scene."""
    return tuple(printed_json(client, f"import json\nm = bpy.data.objects[{name!r}].data\n"
                                      "print(json.dumps([len(m.vertices), len(m.polygons)]))"))


def clear_scene(client):
    py(client, "for o in list(bpy.data.objects):\n    bpy.data.objects.remove(o)")


def usd_available(client):
    return py(client, "try:\n    bpy.ops.wm.usd_import.get_rna_type(); print('yes')\nexcept KeyError:\n    print('no')") == "yes"


# A factory cube written by each exporter; what its importer must bring back:
# (export op, export params, import op, file, faces, fewest vertices)
ROUND_TRIPS = {
    "gltf": ("file.export", {"format": "gltf"}, "file.import_gltf", "rt.gltf", 12, 8),  # triangulated, split per face
    "glb": ("file.export", {"format": "glb"}, "file.import_gltf", "rt.glb", 12, 8),
    # Only the cube: Blender 5.0.1's FBX importer fails on a light (lamp.cycles.cast_shadow is gone).
    "fbx": ("file.export_selected", {"format": "fbx", "objects": ["Cube"]}, "file.import_fbx", "rt.fbx", 6, 8),
    "obj": ("file.export", {"format": "obj"}, "file.import_obj", "rt.obj", 6, 8),
    "stl": ("file.export", {"format": "stl"}, "file.import_stl", "rt.stl", 12, 8),
    "ply": ("file.export_ply", {}, "file.import_ply", "rt.ply", 6, 8),
}


@pytest.mark.parametrize("fmt", sorted(ROUND_TRIPS))
def test_export_then_import_brings_the_cube_back(client, files_root, fmt):
    export_op, extra, import_op, path, faces, fewest_vertices = ROUND_TRIPS[fmt]
    exported = client.call(export_op, {"path": path, **extra})
    assert (files_root / path).stat().st_size == exported["size"] > 0
    clear_scene(client)
    result = client.call(import_op, {"path": path})
    meshes = [entry for entry in result["objects"] if entry["type"] == "MESH"]
    assert result["mesh_count"] == len(meshes) == 1
    mesh = meshes[0]
    # The answer is what the scene holds.
    assert mesh_counts(client, mesh["name"]) == (mesh["vertices"], mesh["faces"])
    assert mesh["faces"] == faces
    assert mesh["vertices"] >= fewest_vertices
    info = client.call("object.info", {"name": mesh["name"]})
    assert info["dimensions"] == pytest.approx([2, 2, 2], abs=1e-3)
    assert result["changed"]["created"] == [entry["name"] for entry in result["objects"]]
    assert set(result["changed"]["created"]) == set(expression_json(client, "[o.name for o in bpy.context.scene.objects]"))


def test_import_scale_scales_the_top_level_objects(client, files_root):
    client.call("file.export", {"path": "scaled.obj", "format": "obj", "selected_only": False})
    clear_scene(client)
    result = client.call("file.import_obj", {"path": "scaled.obj", "scale": 2.5})
    info = client.call("object.info", {"name": result["objects"][0]["name"]})
    assert info["dimensions"] == pytest.approx([5, 5, 5], abs=1e-3)


@pytest.mark.parametrize("op, wrong", [
    ("file.import_gltf", "model.obj"), ("file.import_fbx", "model.glb"), ("file.import_obj", "model.fbx"),
    ("file.import_stl", "model.ply"), ("file.import_ply", "model.stl"), ("file.import_usd", "model.obj"),
])
def test_import_refuses_a_file_of_another_format(client, op, wrong):
    error = error_of(client.request(op, {"path": wrong}))
    assert error["code"] == "bad_params"
    assert f"{op}: param 'path' must name a" in error["message"] and wrong in error["message"]


@pytest.mark.parametrize("op", ["file.import_gltf", "file.import_fbx", "file.import_obj", "file.import_stl",
                                "file.import_ply", "file.import_usd"])
def test_import_scale_range_is_named(client, op):
    error = error_of(client.request(op, {"path": "x", "scale": 0}))
    assert "param 'scale' must be a number between 0.0001 and 10000.0, got int 0" in error["message"]


def test_import_missing_file_and_outside_root(client, files_root):
    error = error_of(client.request("file.import_obj", {"path": "nowhere.obj"}))
    assert error["code"] == "not_found" and str(files_root) in error["message"]
    error = error_of(client.request("file.import_stl", {"path": "../../etc/x.stl"}))
    assert error["code"] == "path_not_allowed"


def test_usd_import_and_export_or_not_available(client, files_root):
    if not usd_available(client):
        (files_root / "stage.usda").write_text("#usda 1.0\n")
        for op, params in (("file.import_usd", {"path": "stage.usda"}), ("file.export_usd", {"path": "stage"})):
            error = error_of(client.request(op, params))
            assert error["code"] == "not_available", error
            assert "built without USD" in error["message"] and "wm.usd_" in error["message"]
        return
    exported = client.call("file.export_usd", {"path": "stage"})
    assert exported["path"].endswith("stage.usd") and exported["size"] > 0
    clear_scene(client)
    result = client.call("file.import_usd", {"path": "stage.usd"})
    meshes = [entry for entry in result["objects"] if entry["type"] == "MESH"]
    assert len(meshes) == 1 and mesh_counts(client, meshes[0]["name"])[1] == 6


def test_export_ply_writes_a_ply_of_the_meshes(client, files_root):
    result = client.call("file.export_ply", {"path": "out/mesh"})
    assert result["path"] == str(files_root / "out" / "mesh.ply")
    data = (files_root / "out" / "mesh.ply").read_bytes()
    assert data.startswith(b"ply\n") and b"element face 6" in data
    assert oct(os.stat(result["path"]).st_mode & 0o777) == "0o600"


def test_export_ply_selected_only_with_nothing_selected_writes_no_faces(client, files_root):
    py(client, "for o in bpy.context.scene.objects:\n    o.select_set(False)")
    answer = client.request("file.export_ply", {"path": "none.ply", "selected_only": True})
    if answer["type"] == "error":  # the exporter may refuse an empty selection outright
        assert answer["error"]["code"] == "command_failed"
    else:
        assert b"element face 6" not in (files_root / "none.ply").read_bytes()


def test_export_ply_and_usd_params_are_checked(client):
    assert "missing required param 'path'" in error_of(client.request("file.export_ply", {}))["message"]
    error = error_of(client.request("file.export_usd", {"path": "x", "selected_only": "yes"}))
    assert "param 'selected_only' must be a boolean" in error["message"]


def test_export_selected_writes_only_the_named_objects_and_keeps_the_selection(client, files_root):
    client.call("object.create", {"type": "uv_sphere", "name": "Ball", "location": [4, 0, 0]})
    py(client, "for o in bpy.context.scene.objects:\n    o.select_set(o.name == 'Ball')\nbpy.context.view_layer.objects.active = bpy.data.objects['Ball']")
    result = client.call("file.export_selected", {"path": "only_cube", "format": "obj", "objects": ["Cube"]})
    assert result["objects"] == ["Cube"] and result["path"].endswith("only_cube.obj")
    assert py(client, "print(sorted(o.name for o in bpy.context.scene.objects if o.select_get()), bpy.context.view_layer.objects.active.name)") == "['Ball'] Ball"
    clear_scene(client)
    imported = client.call("file.import_obj", {"path": "only_cube.obj"})
    assert imported["mesh_count"] == 1 and imported["objects"][0]["vertices"] == 8


def test_export_selected_glb_round_trip_of_two_objects(client, files_root):
    client.call("object.create", {"type": "ico_sphere", "name": "Ico", "location": [3, 0, 0]})
    client.call("file.export_selected", {"path": "two.glb", "format": "glb", "objects": ["Cube", "Ico"]})
    clear_scene(client)
    imported = client.call("file.import_gltf", {"path": "two.glb"})
    assert imported["mesh_count"] == 2
    assert sorted(entry["faces"] for entry in imported["objects"]) == [12, 80]


def test_export_selected_refusals(client):
    error = error_of(client.request("file.export_selected", {"path": "x", "format": "dxf", "objects": ["Cube"]}))
    assert "param 'format' must be one of 'gltf', 'glb', 'fbx', 'obj', 'stl', 'ply', 'usd', got str 'dxf'" in error["message"]
    error = error_of(client.request("file.export_selected", {"path": "x", "format": "obj", "objects": []}))
    assert "param 'objects' must be an array of at least 1 items" in error["message"]
    error = error_of(client.request("file.export_selected", {"path": "x", "format": "obj", "objects": ["Cube", "Ghost"]}))
    assert error["code"] == "not_found" and "'Ghost'" in error["message"]


def test_list_files_with_sizes_and_extension_filter(client, files_root):
    client.call("file.export", {"path": "listing/a.obj", "format": "obj"})
    client.call("file.export", {"path": "listing/deeper/b.stl", "format": "stl"})
    (files_root / "listing" / ".hidden.obj").write_text("x")
    result = client.call("file.list", {"folder": "listing"})
    paths = {entry["path"]: entry["size"] for entry in result["files"]}
    assert set(paths) == {"listing/a.obj", "listing/a.mtl", "listing/deeper/b.stl"}
    assert all(size == (files_root / path).stat().st_size for path, size in paths.items())
    only = client.call("file.list", {"folder": "listing", "extensions": [".STL"]})
    assert [entry["path"] for entry in only["files"]] == ["listing/deeper/b.stl"]
    flat = client.call("file.list", {"folder": "listing", "recursive": False, "extensions": ["obj", "stl"]})
    assert [entry["path"] for entry in flat["files"]] == ["listing/a.obj"]
    limited = client.call("file.list", {"folder": "", "limit": 1})
    assert limited["count"] == 1 and limited["truncated"] is True
    assert limited["root"] == str(files_root)


def test_list_files_refusals(client):
    assert "param 'limit' must be an integer between 1 and 5000, got int 0" in error_of(
        client.request("file.list", {"folder": "", "limit": 0}))["message"]
    assert error_of(client.request("file.list", {"folder": "../.."}))["code"] == "path_not_allowed"
    assert error_of(client.request("file.list", {"folder": "no-such-folder"}))["code"] == "not_found"
    assert "missing required param 'folder'" in error_of(client.request("file.list", {}))["message"]


def test_append_from_blend_brings_the_named_object(client, files_root):
    client.call("object.create", {"type": "torus", "name": "Donut"})
    client.call("file.save", {"path": "library.blend"})
    py(client, "bpy.ops.wm.read_homefile()")
    result = client.call("file.append_blend", {"path": "library.blend", "objects": ["Donut"]})
    assert [entry["name"] for entry in result["objects"]] == ["Donut"] and result["mesh_count"] == 1
    assert mesh_counts(client, "Donut") == (result["objects"][0]["vertices"], result["objects"][0]["faces"])
    assert result["objects"][0]["vertices"] == 48 * 12
    assert py(client, "print('Donut' in bpy.context.scene.objects)") == "True"


def test_append_from_blend_refusals(client, files_root):
    client.call("file.save", {"path": "small.blend"})
    error = error_of(client.request("file.append_blend", {"path": "small.blend", "objects": ["Ghost"]}))
    assert error["code"] == "not_found" and "'Ghost'" in error["message"] and "'Cube'" in error["message"]
    error = error_of(client.request("file.append_blend", {"path": "small.obj"}))
    assert "param 'path' must name a .blend file" in error["message"]
