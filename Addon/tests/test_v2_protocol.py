"""v2 framed protocol against a real headless Blender: handshake, ops, errors."""

import struct

import pytest

from wire_clients import FramedClient


@pytest.fixture
def client(addon):
    with FramedClient(addon.address) as connection:
        reply = connection.hello()
        assert reply["type"] == "hello", reply
        yield connection


def test_ready_line_reports_real_port_and_mode(addon):
    assert addon.address[1] > 0
    assert addon.info["mode"] == "headless"
    assert addon.info["blender"].count(".") == 2


def test_hello_reply_fields(addon):
    with FramedClient(addon.address) as connection:
        reply = connection.hello(client="test-hello")
    with FramedClient(addon.address) as connection:
        again = connection.hello(client="test-hello-again")
    # One Blender process, one boot id: the broker tells a restarted Blender from this one by it.
    boot = reply.pop("boot")
    assert len(boot) == 16 and again["boot"] == boot
    assert reply == {
        "type": "hello",
        "protocol": 2,
        "server": "bmcp-addon",
        "addon_version": "2.0.0",
        "blender_version": addon.info["blender"],
        "mode": "headless",
    }


def test_request_before_hello_is_refused_and_closed(addon):
    with FramedClient(addon.address) as connection:
        connection.send({"type": "request", "id": "1", "op": "scene.info"})
        answer = connection.receive()
        assert answer["type"] == "error"
        assert answer["id"] is None
        assert answer["error"]["code"] == "hello_required"
        assert connection.is_closed_by_peer()


def test_wrong_protocol_version_is_refused(addon):
    with FramedClient(addon.address) as connection:
        answer = connection.hello(protocol=1)
        assert answer["error"]["code"] == "unsupported_protocol"
        assert "2" in answer["error"]["message"]
        assert connection.is_closed_by_peer()


def test_scene_info_on_factory_scene(client):
    result = client.call("scene.info")
    assert result["name"] == "Scene"
    assert result["object_count"] == 3
    objects = {obj["name"]: obj for obj in result["objects"]}
    assert set(objects) == {"Cube", "Camera", "Light"}
    assert objects["Cube"] == {"name": "Cube", "type": "MESH", "location": [0.0, 0.0, 0.0]}
    assert objects["Camera"]["type"] == "CAMERA"
    assert objects["Light"]["type"] == "LIGHT"
    assert objects["Camera"]["location"] == pytest.approx([7.3589, -6.9258, 4.9583], abs=1e-3)
    assert result["materials_count"] >= 1  # the factory cube's "Material"
    assert result["frame_current"] == 1
    assert result["unit_system"] == "METRIC"


def test_params_may_be_omitted_or_empty(client):
    client.send({"type": "request", "id": "no-params", "op": "scene.info"})
    assert client.receive()["type"] == "reply"
    assert client.request("scene.info", {})["type"] == "reply"


def test_code_execute_adds_cube_then_object_info(client):
    code = (
        "bpy.ops.mesh.primitive_cube_add(location=(1, 2, 3))\n"
        "bpy.context.active_object.name = 'ProbeCube'\n"
        "print('made', bpy.context.active_object.name)\n"
    )
    try:
        result = client.call("code.execute", {"code": code})
        assert result == {"executed": True, "result": "made ProbeCube\n", "stderr": ""}
        info = client.call("object.info", {"name": "ProbeCube"})
        assert info["name"] == "ProbeCube"
        assert info["type"] == "MESH"
        assert info["location"] == pytest.approx([1.0, 2.0, 3.0])
        assert info["rotation"] == pytest.approx([0.0, 0.0, 0.0])
        assert info["scale"] == pytest.approx([1.0, 1.0, 1.0])
        assert info["dimensions"] == pytest.approx([2.0, 2.0, 2.0])
        assert info["mesh"] == {"vertices": 8, "edges": 12, "polygons": 6, "triangles": 12}
        assert info["visible"] is True
        assert info["parent"] is None
        assert info["collections"] == ["Collection"]
        assert info["materials"] == []
        assert info["modifiers"] == []
        assert client.call("scene.info")["object_count"] == 4
    finally:
        client.call(
            "code.execute",
            {"code": "o = bpy.data.objects.get('ProbeCube')\nif o: bpy.data.objects.remove(o)"},
        )
    assert client.call("scene.info")["object_count"] == 3


def test_object_info_of_factory_cube(client):
    info = client.call("object.info", {"name": "Cube"})
    assert info["materials"] == ["Material"]
    assert info["dimensions"] == pytest.approx([2.0, 2.0, 2.0])
    assert "mesh" in info
    camera = client.call("object.info", {"name": "Camera"})
    assert "mesh" not in camera
    assert camera["type"] == "CAMERA"


def test_code_execute_captures_stdout_and_stderr(client):
    code = "import sys\nprint('one')\nprint('two', 2)\nprint('warn', file=sys.stderr)"
    result = client.call("code.execute", {"code": code})
    assert result["result"] == "one\ntwo 2\n"
    assert result["stderr"] == "warn\n"


def test_code_execute_has_bpy_and_mathutils_in_a_fresh_namespace(client):
    client.call("code.execute", {"code": "leftover = 1"})
    code = "print(type(mathutils.Vector((1, 2, 3))).__name__, 'leftover' in globals(), bpy.app.version[0] >= 3)"
    assert client.call("code.execute", {"code": code})["result"] == "Vector False True\n"


def test_code_exception_is_code_failed_with_traceback_and_stdout(client):
    answer = client.request("code.execute", {"code": "print('before')\nx = 1 / 0"})
    assert answer["type"] == "error"
    error = answer["error"]
    assert error["code"] == "code_failed"
    assert error["message"] == "ZeroDivisionError: division by zero"
    assert "Traceback" in error["traceback"]
    assert "line 2" in error["traceback"]
    assert error["stdout"] == "before\n"
    # The server keeps serving on the same connection.
    assert client.call("scene.info")["object_count"] == 3


def test_code_syntax_error_and_sys_exit_do_not_stop_the_server(client):
    answer = client.request("code.execute", {"code": "def broken(:\n"})
    assert answer["error"]["code"] == "code_failed"
    assert answer["error"]["message"].startswith("SyntaxError")
    answer = client.request("code.execute", {"code": "import sys\nsys.exit(3)"})
    assert answer["error"]["code"] == "code_failed"
    assert answer["error"]["message"].startswith("SystemExit")
    assert client.call("addon.health")["mode"] == "headless"


def test_unknown_op_lists_known_ops(client):
    answer = client.request("scene.explode", {})
    assert answer["type"] == "error"
    assert answer["error"]["code"] == "unknown_op"
    message = answer["error"]["message"]
    assert "scene.explode" in message
    for op in ("scene.info", "object.info", "code.execute", "addon.health"):
        assert op in message


def test_bad_params_wrong_type(client):
    answer = client.request("object.info", {"name": 42})
    assert answer["error"]["code"] == "bad_params"
    assert answer["error"]["message"] == "object.info: param 'name' must be a non-empty string, got int 42"


def test_bad_params_missing(client):
    answer = client.request("object.info", {})
    assert answer["error"]["code"] == "bad_params"
    assert "'name'" in answer["error"]["message"]
    assert "missing" in answer["error"]["message"]


def test_bad_params_unknown_param_and_non_object_params(client):
    answer = client.request("object.info", {"name": "Cube", "nmae": "x"})
    assert answer["error"]["code"] == "bad_params"
    assert "'nmae'" in answer["error"]["message"]
    client.send({"type": "request", "id": "p", "op": "object.info", "params": ["Cube"]})
    answer = client.receive()
    assert answer["id"] == "p"
    assert answer["error"]["code"] == "bad_params"


def test_not_found(client):
    answer = client.request("object.info", {"name": "Nope"})
    assert answer["type"] == "error"
    assert answer["error"] == {"code": "not_found", "message": "no object named 'Nope' in scene 'Scene'"}


def test_bad_json_keeps_the_connection(client):
    payload = b'{"type": "request", "id": '
    client.send_raw(struct.pack(">I", len(payload)) + payload)
    answer = client.receive()
    assert answer["type"] == "error"
    assert answer["id"] is None
    assert answer["error"]["code"] == "bad_json"
    assert answer["error"]["message"].startswith("frame is not valid JSON: ")
    assert client.call("scene.info")["object_count"] == 3


def test_invalid_utf8_is_bad_json(client):
    payload = b'{"type": "\xff"}'
    client.send_raw(struct.pack(">I", len(payload)) + payload)
    assert client.receive()["error"]["code"] == "bad_json"
    assert client.call("addon.health")["addon_version"] == "2.0.0"


@pytest.mark.parametrize(
    "frame, fragment",
    [
        ([1, 2], "JSON object"),
        ({"id": "x"}, "no 'type'"),
        ({"type": "teleport", "id": "x"}, "teleport"),
        ({"type": "request", "op": "scene.info"}, "'id'"),
        ({"type": "request", "id": "y"}, "'op'"),
        ({"type": "hello", "protocol": 2}, "hello"),
    ],
)
def test_bad_frames_are_named_and_kept(client, frame, fragment):
    client.send(frame)
    answer = client.receive()
    assert answer["type"] == "error"
    assert answer["error"]["code"] == "bad_frame"
    assert fragment in answer["error"]["message"]
    assert client.call("scene.info")["name"] == "Scene"


def test_ping_before_and_between_requests(client):
    client.send({"type": "ping", "id": "p1"})
    assert client.receive() == {"type": "pong", "id": "p1"}
    client.call("scene.info")
    client.send({"type": "ping", "id": "p2"})
    assert client.receive() == {"type": "pong", "id": "p2"}


def test_addon_health(client):
    health = client.call("addon.health")
    assert health["mode"] == "headless"
    assert health["addon_version"] == "2.0.0"
    assert health["connections"] >= 1
    assert health["uptime_s"] >= 0
    assert health["blender_version"].count(".") == 2


def test_unicode_round_trips(client):
    result = client.call("code.execute", {"code": "print('würfel ✓ 立方体')"})
    assert result["result"] == "würfel ✓ 立方体\n"
