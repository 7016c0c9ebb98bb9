"""GUI Blender under Xvfb: register() serves through the bpy.app.timers drain."""

import os
import stat
import threading
import time

import pytest

from conftest import clean_env, gui_command
from wire_clients import FramedClient, V1Client

# A GUI Blender: not in Blender as a Python module (-m "not gui" there).
pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def config_home(tmp_path_factory):
    """XDG_CONFIG_HOME of the GUI Blender: where it makes its token file."""
    return tmp_path_factory.mktemp("config-home")


@pytest.fixture(scope="module")
def files_root(tmp_path_factory):
    return tmp_path_factory.mktemp("gui-files")


@pytest.fixture(scope="module")
def gui_addon(launch_blender, config_home, files_root):
    env = clean_env(BMCP_ADDON_PORT="0", BMCP_ADDON_HOST="127.0.0.1", XDG_CONFIG_HOME=str(config_home),
                    BMCP_FILES_ROOT=str(files_root))
    blender = launch_blender(gui_command(), env)
    yield blender
    blender.stop()


@pytest.fixture(scope="module")
def gui_token(gui_addon, config_home):
    return (config_home / "bmcp" / "addon.token").read_text()


def greeted(gui_addon, gui_token):
    connection = FramedClient(gui_addon.address)
    reply = connection.hello(token=gui_token)
    assert reply["mode"] == "gui", reply
    return connection


@pytest.fixture
def client(gui_addon, gui_token):
    with greeted(gui_addon, gui_token) as connection:
        yield connection


def test_without_a_token_the_gui_makes_and_demands_a_token_file(gui_addon, config_home, gui_token):
    path = config_home / "bmcp" / "addon.token"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert len(gui_token) == 43
    assert f"clients must prove the token in {path}" in gui_addon.output
    with FramedClient(gui_addon.address) as connection:
        assert connection.hello()["type"] == "challenge"  # no token to answer it with
    with FramedClient(gui_addon.address) as connection:
        assert connection.hello(token="guess", check_addon_proof=False)["error"]["code"] == "unauthorized"


def test_an_env_token_wins_over_the_token_file(launch_blender, tmp_path):
    env = clean_env(BMCP_ADDON_PORT="0", XDG_CONFIG_HOME=str(tmp_path), BMCP_ADDON_TOKEN="gui-env-token")
    blender = launch_blender(gui_command(), env)
    try:
        with FramedClient(blender.address) as connection:
            assert connection.hello(token="gui-env-token")["mode"] == "gui"
    finally:
        blender.stop()
    assert not (tmp_path / "bmcp").exists()


def test_a_token_file_others_can_read_stops_the_gui_from_serving(launch_blender, tmp_path):
    path = tmp_path / "loose.token"
    path.write_text("loose")
    path.chmod(0o644)
    blender = launch_blender(gui_command(), clean_env(BMCP_ADDON_PORT="0", BMCP_ADDON_TOKEN_FILE=str(path)), wait=False)
    try:
        expected = f"bmcp_addon: not serving: token file {path} has mode 0644"
        wait_for_output(blender, expected)
        assert "BMCP_ADDON_READY" not in blender.output
    finally:
        blender.stop()


def test_ready_line_says_gui(gui_addon):
    assert gui_addon.info["mode"] == "gui"


def test_scene_info_through_timer(client):
    result = client.call("scene.info")
    assert result["object_count"] == 3
    assert {o["name"] for o in result["objects"]} == {"Cube", "Camera", "Light"}


def test_code_execute_then_object_info(client):
    code = "bpy.ops.mesh.primitive_cube_add(location=(1, 2, 3))\nprint(bpy.context.active_object.name)"
    result = client.call("code.execute", {"code": code})
    name = result["result"].strip()
    try:
        info = client.call("object.info", {"name": name})
        assert info["location"] == pytest.approx([1.0, 2.0, 3.0])
        assert info["mesh"]["vertices"] == 8
        assert info["dimensions"] == pytest.approx([2.0, 2.0, 2.0])
    finally:
        client.call("code.execute", {"code": f"bpy.data.objects.remove(bpy.data.objects[{name!r}])"})


def test_health_and_errors_in_gui(client):
    assert client.call("addon.health")["mode"] == "gui"
    assert client.request("object.info", {"name": "Ghost"})["error"]["code"] == "not_found"
    answer = client.request("code.execute", {"code": "raise ValueError('boom')"})
    assert answer["error"]["message"] == "ValueError: boom"


def test_many_sequential_and_concurrent_requests(gui_addon, gui_token):
    failures = []

    def worker():
        try:
            with greeted(gui_addon, gui_token) as connection:
                for _ in range(100):
                    if connection.call("scene.info")["object_count"] != 3:
                        failures.append("wrong count")
        except Exception as exc:
            failures.append(repr(exc))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_viewport_screenshot_is_private_and_stays_under_the_files_root(client, files_root, tmp_path):
    result = client.call("render.viewport", {"filepath": "shots/view.png", "max_size": 64})
    path = files_root / "shots" / "view.png"
    assert result["filepath"] == str(path) and max(result["width"], result["height"]) <= 64
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(path.parent) == ["view.png"]  # no temporary left behind
    (files_root / "out").symlink_to(tmp_path)
    for escape in ("../view.png", str(tmp_path / "view.png"), "out/view.png"):
        error = client.request("render.viewport", {"filepath": escape})["error"]
        assert error["code"] == "path_not_allowed", error
    assert os.listdir(tmp_path) == []


def wait_for_output(blender, text):
    deadline = time.monotonic() + 120  # a hang guard, not a speed check
    while text not in blender.output:
        assert time.monotonic() < deadline, f"never printed {text!r}:\n{blender.output}"
        assert blender.process.poll() is None, blender.output
        time.sleep(0.1)


def set_allow_v1(client, value):
    preferences = "bpy.context.preferences.addons['bmcp_addon'].preferences"
    code = f"{preferences}.allow_v1 = {value!r}\nprint({preferences}.bl_rna.properties['allow_v1'].name)"
    return client.call("code.execute", {"code": code})["result"].strip()


def test_v1_follows_the_preferences_checkbox_without_restart(gui_addon, client):
    with V1Client(gui_addon.address) as v1:
        reply = v1.command("get_polyhaven_status")
        assert reply["status"] == "error" and "checkbox 'Allow V1 clients'" in reply["message"]
    assert set_allow_v1(client, True) == "Allow V1 clients (bare JSON, no token)"
    try:
        with V1Client(gui_addon.address) as v1:
            assert v1.command("get_polyhaven_status")["result"]["enabled"] is False
            assert v1.command("get_scene_info")["result"]["object_count"] == 3
    finally:
        set_allow_v1(client, False)
    with V1Client(gui_addon.address) as v1:
        assert v1.command("get_scene_info")["status"] == "error"
