"""A new session's scene (BMCP_SESSION_TEMPLATE, default `empty`): no startup Cube, a Camera and
a Sun marked as the template's while they stay where it put them, in a real headless Blender."""

import pytest

from conftest import clean_env, headless_command
from wire_clients import FramedClient


def context(tmp_path, session_id):
    return {"id": session_id, "dir": str(tmp_path / "sessions" / session_id)}


def answer(client, op, params, session):
    reply = client.request(op, params, session=session)
    assert reply["type"] == "reply", reply
    return reply["result"]


def objects(client, session):
    return {o["name"]: o for o in answer(client, "scene.snapshot", None, session)["objects"]}


def test_a_new_session_starts_empty_but_for_a_camera_and_a_sun(factory_client, tmp_path):
    session = context(tmp_path, "s-clean")
    scene = objects(factory_client, session)
    assert set(scene) == {"Camera", "Sun"}
    assert scene["Camera"]["template_default"] is True and scene["Sun"]["template_default"] is True
    assert answer(factory_client, "object.info", {"name": "Sun"}, session)["light"]["type"] == "SUN"
    answer(factory_client, "object.transform", {"name": "Camera", "location": [0, -20, 3]}, session)
    assert "template_default" not in objects(factory_client, session)["Camera"]  # moved: now it is the user's
    answer(factory_client, "session.release", None, session)


@pytest.mark.parametrize("setting, expected", [("factory", {"Cube", "Camera", "Light"}), ("nonsense", None)])
def test_the_template_is_a_setting(launch_blender, tmp_path, setting, expected):
    blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0"),
                             env={**clean_env(), "BMCP_SESSION_TEMPLATE": setting})
    try:
        with FramedClient(blender.address) as client:
            client.hello()
            answer = client.request("scene.snapshot", session=context(tmp_path, "s-template"))
            if expected is None:
                assert answer["type"] == "error" and answer["error"]["code"] == "bad_settings"
                assert "BMCP_SESSION_TEMPLATE must be 'empty', 'factory' or the path of a .blend file, got 'nonsense'" in answer["error"]["message"]
            else:
                assert {o["name"] for o in answer["result"]["objects"]} == expected
    finally:
        blender.stop()
