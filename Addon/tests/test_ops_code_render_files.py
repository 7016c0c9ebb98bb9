"""code.execute limits, render.image, file.* under a files root, history headless."""

import base64
import os
import struct

import pytest

from conftest import clean_env, error_of, headless_command
from wire_clients import V1Client


@pytest.fixture(scope="module")
def files_root(tmp_path_factory):
    return tmp_path_factory.mktemp("files-root")


@pytest.fixture(scope="module")
def addon(launch_blender, files_root):
    env = clean_env(BMCP_FILES_ROOT=str(files_root), BMCP_CODE_TIMEOUT="5", BMCP_ALLOW_V1="1")
    process = launch_blender(headless_command("--port", "0"), env)
    yield process
    process.stop()


@pytest.fixture
def client(factory_client):
    return factory_client


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# -- code.execute ------------------------------------------------------------------


def test_endless_loop_is_stopped_with_code_timeout(client):
    answer = client.request("code.execute", {"code": "print('start')\nwhile True:\n    pass", "timeout_s": 0.5})
    error = error_of(answer)
    assert error["code"] == "code_timeout"
    assert "0.5 s" in error["message"]
    assert error["stdout"] == "start\n"
    assert client.call("scene.info")["name"] == "Scene"


def test_timeout_cannot_be_swallowed_by_except_exception(client):
    code = "while True:\n    try:\n        sum(range(100))\n    except Exception:\n        pass"
    assert error_of(client.request("code.execute", {"code": code, "timeout_s": 0.3}))["code"] == "code_timeout"


def test_default_timeout_comes_from_env(client):
    error = error_of(client.request("code.execute", {"code": "while True: pass"}))
    assert error["code"] == "code_timeout"
    assert "5 s" in error["message"]  # BMCP_CODE_TIMEOUT=5 for this Blender


def test_timeout_param_is_validated(client):
    error = error_of(client.request("code.execute", {"code": "pass", "timeout_s": -1}))
    assert error["code"] == "bad_params" and "'timeout_s'" in error["message"] and "got int -1" in error["message"]


def test_code_within_its_limit_runs_normally(client):
    assert client.call("code.execute", {"code": "print(sum(range(10)))", "timeout_s": 4.5})["result"] == "45\n"


@pytest.mark.parametrize("timeout", [600, 5.5])
def test_a_timeout_above_the_ceiling_is_refused_before_running(client, timeout):
    code = "bpy.data.objects['Cube'].name = 'Ran'"
    error = error_of(client.request("code.execute", {"code": code, "timeout_s": timeout}))
    assert error == {
        "code": "bad_params",
        "message": f"code.execute: timeout {timeout:g} s exceeds BMCP_CODE_TIMEOUT (5 s), a ceiling callers cannot raise",
    }
    assert "Ran" not in {o["name"] for o in client.call("scene.info")["objects"]}


def test_a_timeout_at_the_ceiling_is_honoured(client):
    assert client.call("code.execute", {"code": "print('ok')", "timeout_s": 5})["result"] == "ok\n"


# -- render.image ------------------------------------------------------------------


def test_render_image_workbench_base64(client):
    result = client.call("render.image", {"width": 64, "height": 48})
    assert (result["format"], result["width"], result["height"]) == ("png", 64, 48)
    assert png_size(base64.b64decode(result["base64"])) == (64, 48)


@pytest.mark.parametrize("view", ["front", "top", "right", "iso"])
def test_render_image_views_without_touching_the_scene(client, view):
    before = client.call("scene.info", {"fields": ["name", "location"]})["objects"]
    result = client.call("render.image", {"width": 40, "height": 40, "view": view})
    assert png_size(base64.b64decode(result["base64"])) == (40, 40)
    assert client.call("scene.info", {"fields": ["name", "location"]})["objects"] == before


def test_render_image_eevee_with_named_camera(client):
    # One sample, not the factory 64: without a GPU Blender 4.2+'s Eevee (Next) draws on
    # software OpenGL, where 64 samples of even 32x24 take about 100 s (3.4's Eevee: 7 s).
    client.call("code.execute", {"code": "bpy.context.scene.eevee.taa_render_samples = 1"})
    result = client.call("render.image", {"width": 32, "height": 24, "engine": "eevee", "camera": "Camera"})
    assert png_size(base64.b64decode(result["base64"])) == (32, 24)
    engine = client.call("code.execute", {"code": "print(bpy.context.scene.render.engine)"})["result"]
    assert engine.strip().startswith("BLENDER_EEVEE")  # put back, whatever this version calls Eevee


def test_render_image_refusals(client):
    error = error_of(client.request("render.image", {"width": 4096}))
    assert error["message"] == "render.image: param 'width' must be an integer between 1 and 2048, got int 4096"
    error = error_of(client.request("render.image", {"engine": "cycles"}))
    assert error["message"] == "render.image: param 'engine' must be one of 'workbench', 'eevee', got str 'cycles'"
    assert error_of(client.request("render.image", {"camera": "Cube"}))["code"] == "bad_params"
    assert error_of(client.request("render.image", {"camera": "Camera", "view": "top"}))["code"] == "bad_params"
    assert error_of(client.request("render.image", {"camera": "Ghost"}))["code"] == "not_found"


def test_render_image_without_any_camera_frames_the_scene(client):
    client.call("object.delete", {"names": ["Camera"]})
    result = client.call("render.image", {"width": 20, "height": 10})
    assert png_size(base64.b64decode(result["base64"])) == (20, 10)
    assert {o["name"] for o in client.call("scene.info")["objects"]} == {"Cube", "Light"}


def test_viewport_is_not_available_headless(client):
    error = error_of(client.request("render.viewport", {}))
    assert error["code"] == "not_available_headless"
    assert "render.image" in error["message"]


# -- files -------------------------------------------------------------------------


def test_save_then_open_round_trip(client, files_root):
    client.call("object.rename", {"name": "Cube", "new_name": "Saved"})
    result = client.call("file.save", {"path": "work/scene"})
    assert result["path"] == str(files_root / "work" / "scene.blend")
    assert result["size"] == os.path.getsize(result["path"]) > 0
    client.call("object.rename", {"name": "Saved", "new_name": "Changed"})
    result = client.call("file.open", {"path": str(files_root / "work" / "scene.blend")})
    assert result["object_count"] == 3
    names = {o["name"] for o in client.call("scene.info")["objects"]}
    assert names == {"Saved", "Camera", "Light"}


@pytest.mark.parametrize("path", ["../outside.blend", "/tmp/outside.blend", "a/../../outside.blend"])
def test_paths_outside_the_root_are_refused(client, files_root, path):
    error = error_of(client.request("file.save", {"path": path}))
    assert error["code"] == "path_not_allowed"
    assert str(files_root) in error["message"]
    assert error["root"] == str(files_root)


def test_symlink_out_of_the_root_is_refused(client, files_root, tmp_path):
    (files_root / "escape").symlink_to(tmp_path)
    error = error_of(client.request("file.export", {"path": "escape/x.stl", "format": "stl"}))
    assert error["code"] == "path_not_allowed"
    assert not (tmp_path / "x.stl").exists()


def test_open_missing_and_corrupt_files(client, files_root):
    assert error_of(client.request("file.open", {"path": "nothing.blend"}))["code"] == "not_found"
    (files_root / "junk.blend").write_bytes(b"not a blend file" * 50)
    error = error_of(client.request("file.open", {"path": "junk.blend"}))
    assert error["code"] == "file_unreadable" and "junk.blend" in error["message"]
    assert client.call("object.info", {"name": "Cube"})["name"] == "Cube"  # scene kept


def binary_stl_triangles(data):
    """Binary STL: 80-byte header, uint32 count, 50 bytes a triangle."""
    (count,) = struct.unpack("<I", data[80:84])
    assert len(data) == 84 + 50 * count, f"not a binary STL: {len(data)} bytes for {count} triangles"
    return count


@pytest.mark.parametrize("fmt, magic", [("obj", b"# Blender"), ("stl", None), ("fbx", b"Kaydara FBX Binary")])
def test_export_formats(client, files_root, fmt, magic):
    result = client.call("file.export", {"path": f"exports/model.{fmt}", "format": fmt})
    assert result["path"] == str(files_root / "exports" / f"model.{fmt}")
    data = (files_root / "exports" / f"model.{fmt}").read_bytes()
    assert result["size"] == len(data) > 0
    if magic is None:
        assert binary_stl_triangles(data) == 12  # the default cube, triangulated
    else:
        assert data.startswith(magic) or magic in data[:200]


def test_an_exporter_whose_bundled_add_on_is_off_is_turned_on_for_the_export(client, files_root):
    probe = "\ntry:\n    bpy.ops.export_scene.fbx.get_rna_type()\n    print('on')\nexcept KeyError:\n    print('off')"
    assert client.call("code.execute", {"code": "import addon_utils\naddon_utils.disable('io_scene_fbx')" + probe})["result"] == "off\n"
    result = client.call("file.export", {"path": "enabled.fbx", "format": "fbx"})
    assert (files_root / "enabled.fbx").read_bytes().startswith(b"Kaydara FBX Binary") and result["size"] > 0
    assert client.call("code.execute", {"code": probe})["result"] == "on\n"


def test_export_selected_only(client, files_root):
    client.call("object.create", {"type": "cube", "name": "Far", "location": [10, 0, 0]})
    client.call("object.select", {"names": ["Far"]})
    everything = client.call("file.export", {"path": "all.obj", "format": "obj"})
    selected = client.call("file.export", {"path": "sel.obj", "format": "obj", "selected_only": True})
    text = (files_root / "sel.obj").read_text()
    assert text.count("\nv ") == 8  # one cube's vertices
    assert selected["size"] < everything["size"]


def test_gltf_exports_or_names_what_is_missing(client, files_root):
    has_numpy = client.call("code.execute", {"code": "import importlib.util\nprint(importlib.util.find_spec('numpy') is not None)"})
    answer = client.request("file.export", {"path": "model", "format": "glb"})
    if has_numpy["result"] == "True\n":
        assert answer["type"] == "reply", answer
        assert (files_root / "model.glb").read_bytes()[:4] == b"glTF"
    else:
        # This Blender's Python lacks numpy, which the glTF exporter imports.
        error = error_of(answer)
        assert error["code"] == "exporter_unavailable"
        assert "numpy" in error["message"] and error["format"] == "glb"


def test_export_format_is_validated(client):
    error = error_of(client.request("file.export", {"path": "x", "format": "dxf"}))
    assert error["message"].startswith("file.export: param 'format' must be one of 'gltf', 'glb', 'fbx', 'obj', 'stl'")


# -- history -----------------------------------------------------------------------


@pytest.mark.parametrize("op, params", [("history.undo", {}), ("history.redo", {}), ("history.undo_push", {"message": "m"})])
def test_history_is_not_available_headless(client, op, params):
    error = error_of(client.request(op, params))
    assert error["code"] == "not_available_headless"
    assert "undo" in error["message"]


# -- V1 screenshot keeps working through render.preview -------------------------------


def test_v1_screenshot_headless(addon, files_root):
    with V1Client(addon.address) as v1:
        reply = v1.command("get_viewport_screenshot", {"max_size": 100, "filepath": str(files_root / "v.png"), "format": "png"})
    assert reply["status"] == "success", reply
    assert png_size((files_root / "v.png").read_bytes()) == (100, 56)


def test_v1_screenshot_outside_the_files_root_is_refused(addon, files_root, tmp_path):
    with V1Client(addon.address) as v1:
        reply = v1.command("get_viewport_screenshot", {"max_size": 100, "filepath": str(tmp_path / "v.png")})
    assert reply["status"] == "error"
    assert f"is outside the allowed folder {files_root} (set BMCP_FILES_ROOT to change it)" in reply["message"]
    assert not (tmp_path / "v.png").exists()
