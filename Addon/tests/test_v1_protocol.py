"""V1 compatibility: bare JSON in, exactly one bare JSON object out."""

import json
import struct

import pytest

from conftest import clean_env, headless_command
from wire_clients import ConnectionClosed, FramedClient, V1Client


@pytest.fixture(scope="module")
def files_root(tmp_path_factory):
    """Where screenshots may be written (like every file an op writes)."""
    return tmp_path_factory.mktemp("v1-files")


@pytest.fixture(scope="module")
def addon(launch_blender, files_root):
    """V1 is off by default; these tests are about what it does once enabled (by the flag)."""
    env = clean_env(BMCP_FILES_ROOT=str(files_root))
    blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0", "--allow-v1"), env)
    yield blender
    blender.stop()


@pytest.fixture
def v1(addon):
    with V1Client(addon.address) as client:
        yield client


@pytest.mark.parametrize("command", ["get_polyhaven_status", "get_hyper3d_status", "get_sketchfab_status"])
def test_status_commands_say_disabled(v1, command):
    reply = v1.command(command)
    assert reply["status"] == "success"
    assert reply["result"]["enabled"] is False
    assert "internet" in reply["result"]["message"]
    assert v1.leftover() == b""


def test_liveness_check_before_every_call_on_one_connection(v1):
    # What a V1 server does: status check, then the real command, repeatedly.
    for _ in range(3):
        assert v1.command("get_polyhaven_status")["status"] == "success"
        reply = v1.command("get_scene_info")
        assert reply["status"] == "success"
    assert reply["result"]["object_count"] == 3


def test_get_scene_info_shape(v1):
    result = v1.command("get_scene_info")["result"]
    assert result["name"] == "Scene"
    assert result["object_count"] == 3
    assert {o["name"] for o in result["objects"]} == {"Cube", "Camera", "Light"}
    cube = next(o for o in result["objects"] if o["name"] == "Cube")
    assert cube == {"name": "Cube", "type": "MESH", "location": [0.0, 0.0, 0.0]}
    assert result["materials_count"] >= 1


def test_get_object_info(v1):
    result = v1.command("get_object_info", {"name": "Cube"})["result"]
    for field in ("name", "type", "location", "rotation", "scale", "visible", "materials", "mesh"):
        assert field in result
    assert result["mesh"]["vertices"] == 8


def test_get_object_info_unknown_is_error(v1):
    reply = v1.command("get_object_info", {"name": "Ghost"})
    assert reply == {"status": "error", "message": "no object named 'Ghost' in scene 'Scene'"}


def test_execute_code(v1):
    reply = v1.command("execute_code", {"code": "print(len(bpy.data.objects))"})
    assert reply == {"status": "success", "result": {"executed": True, "result": "3\n"}}


def test_execute_code_exception(v1):
    reply = v1.command("execute_code", {"code": "1/0"})
    assert reply["status"] == "error"
    assert "ZeroDivisionError: division by zero" in reply["message"]


def test_asset_command_is_a_clear_error(v1):
    reply = v1.command("download_polyhaven_asset", {"asset_id": "x", "asset_type": "hdris"})
    assert reply["status"] == "error"
    assert "download_polyhaven_asset" in reply["message"]
    assert "internet" in reply["message"]


def test_unknown_command_is_named(v1):
    reply = v1.command("make_coffee")
    assert reply["status"] == "error"
    assert "make_coffee" in reply["message"]


def test_message_split_across_sends_and_back_to_back(v1):
    first = json.dumps({"type": "get_object_info", "params": {"name": "Cube"}}).encode()
    second = json.dumps({"type": "get_hyper3d_status", "params": {}}).encode()
    data = first + second
    for index in range(0, len(data), 7):
        v1.send_raw(data[index:index + 7])
    assert v1.receive()["result"]["name"] == "Cube"
    assert v1.receive()["result"]["enabled"] is False


def test_braces_inside_strings_do_not_confuse_the_reader(v1):
    code = 'print("}{]" + "\\\\" + "\\"")'
    reply = v1.command("execute_code", {"code": code})
    assert reply["result"]["result"] == '}{]\\"\n'


def test_malformed_json_gets_error_then_close(addon):
    with V1Client(addon.address) as client:
        client.send_raw(b'{]')
        reply = client.receive()
        assert reply["status"] == "error"
        assert "JSON" in reply["message"]
        with pytest.raises(ConnectionClosed):
            client.receive()
    # Other clients are unaffected.
    with V1Client(addon.address) as client:
        assert client.command("get_scene_info")["status"] == "success"


def test_v1_and_v2_clients_side_by_side(addon):
    with V1Client(addon.address) as old, FramedClient(addon.address) as new:
        assert new.hello()["type"] == "hello"
        assert old.command("get_scene_info")["result"]["object_count"] == 3
        assert new.call("scene.info")["object_count"] == 3


def test_screenshot_with_scene_camera(v1, files_root):
    target = files_root / "shot.png"
    code = "r = bpy.context.scene.render\nprint(r.engine, r.resolution_x, r.resolution_y, r.filepath, r.image_settings.file_format)"
    settings_before = v1.command("execute_code", {"code": code})["result"]["result"]
    reply = v1.command("get_viewport_screenshot", {"max_size": 320, "filepath": str(target), "format": "png"})
    assert reply["status"] == "success", reply
    assert reply["result"] == {"success": True, "width": 320, "height": 180, "filepath": str(target)}
    header = target.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (320, 180)
    # Render settings are put back.
    assert " 1920 1080 " in settings_before
    assert v1.command("execute_code", {"code": code})["result"]["result"] == settings_before


def test_screenshot_without_camera_adds_and_removes_one(v1, files_root):
    target = files_root / "nocam.jpg"
    remove = "cam = bpy.data.objects['Camera']\nbpy.context.scene.camera = None\ncam.name = 'SavedCamera'\nbpy.context.scene.collection.children[0].objects.unlink(cam)"
    restore = "cam = bpy.data.objects['SavedCamera']\ncam.name = 'Camera'\nbpy.context.scene.collection.children[0].objects.link(cam)\nbpy.context.scene.camera = cam"
    assert v1.command("execute_code", {"code": remove})["status"] == "success"
    try:
        reply = v1.command("get_viewport_screenshot", {"max_size": 200, "filepath": str(target), "format": "jpeg"})
        assert reply["status"] == "success", reply
        assert reply["result"]["width"] == 200
        assert target.read_bytes()[:2] == b"\xff\xd8"  # JPEG start-of-image
        check = "print(bpy.context.scene.camera, sorted(o.type for o in bpy.context.scene.objects))"
        assert v1.command("execute_code", {"code": check})["result"]["result"] == "None ['LIGHT', 'MESH']\n"
    finally:
        v1.command("execute_code", {"code": restore})
    assert v1.command("get_scene_info")["result"]["object_count"] == 3
