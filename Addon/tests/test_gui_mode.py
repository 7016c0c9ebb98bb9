"""GUI Blender under Xvfb: register() serves through the bpy.app.timers drain."""

import threading

import pytest

from conftest import clean_env, gui_command
from wire_clients import FramedClient, V1Client


@pytest.fixture(scope="module")
def gui_addon(launch_blender):
    blender = launch_blender(gui_command(), clean_env(BMCP_ADDON_PORT="0", BMCP_ADDON_HOST="127.0.0.1"))
    yield blender
    blender.stop()


@pytest.fixture
def client(gui_addon):
    with FramedClient(gui_addon.address) as connection:
        reply = connection.hello()
        assert reply["mode"] == "gui", reply
        yield connection


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


def test_many_sequential_and_concurrent_requests(gui_addon):
    failures = []

    def worker():
        try:
            with FramedClient(gui_addon.address) as connection:
                connection.hello()
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
