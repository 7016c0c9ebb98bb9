"""Unit tests of the addon's pure-Python modules (no Blender needed)."""

import json
import struct

import pytest

from bmcp_addon import protocol, v1
from bmcp_addon.addresses import is_loopback
from bmcp_addon.framing import FrameReader, FrameTooLarge, V1Reader, decode_payload, encode_frame
from bmcp_addon.registry import OpError, OpRegistry, Param, STRING, VECTOR3, INTEGER
from bmcp_addon.settings import AddonSettings, SettingsError, code_execution_allowed


# -- v2 frames ------------------------------------------------------------------


def test_encode_frame_is_length_prefixed_utf8():
    data = encode_frame({"a": "ü"})
    (size,) = struct.unpack(">I", data[:4])
    assert size == len(data) - 4
    assert json.loads(data[4:].decode("utf-8")) == {"a": "ü"}


def test_non_finite_floats_become_null():
    data = encode_frame({"v": [1.5, float("nan"), float("inf")], "n": {"x": float("-inf")}})
    assert json.loads(data[4:], parse_constant=lambda name: pytest.fail(f"emitted {name}")) == {
        "v": [1.5, None, None],
        "n": {"x": None},
    }


def test_frame_reader_handles_split_and_batched_frames():
    stream = b"".join(encode_frame({"n": n}) for n in range(50))
    reader = FrameReader()
    bodies = []
    for index in range(0, len(stream), 3):
        bodies += reader.feed(stream[index:index + 3])
    assert [json.loads(body) for body in bodies] == [{"n": n} for n in range(50)]
    assert reader.buffered == 0
    assert [json.loads(b) for b in FrameReader().feed(stream)] == [{"n": n} for n in range(50)]


def test_frame_reader_refuses_oversized_header_but_keeps_earlier_frames():
    reader = FrameReader(max_size=100)
    bodies = reader.feed(encode_frame({"ok": 1}) + struct.pack(">I", 101))
    assert bodies == [b'{"ok":1}']
    assert isinstance(reader.error, FrameTooLarge)
    assert str(reader.error) == "incoming message of 101 bytes exceeds the limit of 100 bytes (BMCP_MAX_MESSAGE_BYTES=100)"
    assert reader.feed(encode_frame({"later": 1})) == []


def test_frame_at_exact_limit_is_accepted():
    body = b'"' + b"x" * 98 + b'"'
    assert FrameReader(max_size=100).feed(struct.pack(">I", 100) + body) == [body]


@pytest.mark.parametrize("payload, detail", [(b"", "empty frame"), (b"\xff", "not UTF-8"), (b"{", "Expecting")])
def test_decode_payload_errors_are_readable(payload, detail):
    with pytest.raises(ValueError, match=detail):
        decode_payload(payload)


# -- V1 bare JSON ----------------------------------------------------------------


def test_v1_reader_byte_by_byte_with_tricky_strings():
    messages = [
        {"type": "execute_code", "params": {"code": 'print("}{][\\\\\\"")'}},
        {"type": "get_scene_info", "params": {}},
        {"nested": [{"a": [1, 2, {"b": "]}"}]}]},
    ]
    stream = "  \n".join(json.dumps(m) for m in messages).encode("utf-8")
    reader = V1Reader()
    received = []
    for index in range(len(stream)):
        received += reader.feed(stream[index:index + 1])
    assert received == messages
    assert reader.error is None


@pytest.mark.parametrize("data", [b"{]", b"[1]", b'{"a": 1}}', b'{"a" 1}', b"x"])
def test_v1_reader_detects_hopeless_input(data):
    reader = V1Reader()
    reader.feed(data)
    assert reader.error is not None


def test_v1_reader_waits_on_partial_input_including_open_strings():
    reader = V1Reader()
    assert reader.feed(b'{"type": "get_sc') == []
    assert reader.error is None
    assert reader.feed(b'ene_info"}') == [{"type": "get_scene_info"}]


def test_v1_reader_size_limit():
    reader = V1Reader(max_size=10)
    reader.feed(b'{"a": "' + b"x" * 20)
    assert str(reader.error) == (
        "incoming message exceeds the limit of 10 bytes without ending (BMCP_MAX_MESSAGE_BYTES=10)")
    whole = V1Reader(max_size=10)
    assert whole.feed(b'{"a": "123456"}') == []  # 15 bytes, arrived at once
    assert str(whole.error) == "incoming message of 15 bytes exceeds the limit of 10 bytes (BMCP_MAX_MESSAGE_BYTES=10)"


# -- protocol checks -------------------------------------------------------------


def test_hello_checks():
    protocol.check_hello({"type": "hello", "protocol": 2})
    protocol.check_hello({"type": "hello", "protocol": 2, "token": "ignored"})
    cases = [
        ({"type": "ping"}, "hello_required"),
        ([], "hello_required"),
        ({"type": "hello", "protocol": 3}, "unsupported_protocol"),
        ({"type": "hello", "protocol": True}, "unsupported_protocol"),
    ]
    for frame, code in cases:
        with pytest.raises(protocol.ProtocolError) as caught:
            protocol.check_hello(frame)
        assert caught.value.code == code
        assert caught.value.close is True


def test_parse_request_defaults_params():
    assert protocol.parse_request({"type": "request", "id": "1", "op": "x"}) == protocol.Request("1", "x", {}, None)


def test_describe_value():
    assert protocol.describe_value(42) == "int 42"
    assert protocol.describe_value(True) == "bool True"
    assert protocol.describe_value(None) == "null"
    assert protocol.describe_value("a" * 100).endswith("...")


# -- registry --------------------------------------------------------------------


@pytest.fixture
def registry():
    ops = OpRegistry()

    @ops.op("thing.move", name=Param(STRING), to=Param(VECTOR3), steps=Param(INTEGER, 1))
    def move(ctx, name, to, steps):
        return {"ctx": ctx, "name": name, "to": to, "steps": steps}

    return ops


def test_registry_validates_and_applies_defaults(registry):
    result = registry.run("thing.move", {"name": "a", "to": [1, 2, 3.5]}, "CTX")
    assert result == {"ctx": "CTX", "name": "a", "to": [1, 2, 3.5], "steps": 1}
    assert registry.run("thing.move", {"name": "a", "to": [0, 0, 0], "steps": None}, None)["steps"] == 1


@pytest.mark.parametrize(
    "params, message",
    [
        ({"to": [0, 0, 0]}, "thing.move: missing required param 'name' (a string)"),
        ({"name": 1, "to": [0, 0, 0]}, "thing.move: param 'name' must be a string, got int 1"),
        ({"name": "a", "to": [0, 0]}, "thing.move: param 'to' must be an array of 3 numbers, got array [0, 0]"),
        ({"name": "a", "to": [0, 0, 0], "steps": 1.5}, "thing.move: param 'steps' must be an integer, got float 1.5"),
        ({"name": "a", "to": [0, 0, 0], "steps": True}, "thing.move: param 'steps' must be an integer, got bool True"),
        ({"name": None, "to": [0, 0, 0]}, "thing.move: param 'name' must be a string, got null"),
        ({"name": "a", "to": [0, 0, 0], "speed": 2}, "thing.move: unknown param 'speed' (known params: name, steps, to)"),
    ],
)
def test_registry_bad_params(registry, params, message):
    with pytest.raises(OpError) as caught:
        registry.run("thing.move", params, None)
    assert caught.value.code == "bad_params"
    assert caught.value.message == message


def test_registry_unknown_op(registry):
    with pytest.raises(OpError) as caught:
        registry.run("thing.fly", {}, None)
    assert caught.value.code == "unknown_op"
    assert caught.value.message == "unknown op 'thing.fly' (known ops: thing.move)"


def test_registry_refuses_duplicates(registry):
    with pytest.raises(ValueError):
        registry.op("thing.move")(lambda ctx: None)


# -- settings --------------------------------------------------------------------


def test_settings_from_env_and_overrides():
    env = {"BMCP_ADDON_HOST": "0.0.0.0", "BMCP_ADDON_PORT": "1234", "BMCP_ADDON_TOKEN": "t",
           "BMCP_MAX_MESSAGE_BYTES": "99", "BMCP_ADDON_IDLE_TIMEOUT": "0", "BMCP_HELLO_TIMEOUT": "0.5",
           "BMCP_MAX_ADDON_CONNECTIONS": "3", "BMCP_MAX_PENDING_JOBS": "7"}
    assert AddonSettings.from_env(environ=env) == AddonSettings("0.0.0.0", 1234, "t", 99, 0.0, 0.5, 3, 7)
    overridden = AddonSettings.from_env(host="127.0.0.1", port=0, token="f", environ=env)
    assert (overridden.host, overridden.port, overridden.token) == ("127.0.0.1", 0, "f")
    assert AddonSettings.from_env(environ={}) == AddonSettings()
    assert AddonSettings.from_env(environ={"BMCP_ADDON_TOKEN": ""}).token is None


@pytest.mark.parametrize("env", [{"BMCP_ADDON_PORT": "x"}, {"BMCP_ADDON_PORT": "70000"},
                                 {"BMCP_ADDON_IDLE_TIMEOUT": "-1"}])
def test_settings_errors(env):
    with pytest.raises(SettingsError):
        AddonSettings.from_env(environ=env)


@pytest.mark.parametrize("name, value", [("BMCP_MAX_MESSAGE_BYTES", "0"), ("BMCP_MAX_MESSAGE_BYTES", "x"),
                                         ("BMCP_HELLO_TIMEOUT", "0"), ("BMCP_HELLO_TIMEOUT", "nan"),
                                         ("BMCP_MAX_ADDON_CONNECTIONS", "0"), ("BMCP_MAX_PENDING_JOBS", "-3")])
def test_bad_limits_are_refused_naming_the_setting(name, value):
    with pytest.raises(SettingsError) as caught:
        AddonSettings.from_env(environ={name: value})
    assert name in str(caught.value)


def test_old_message_limit_name_is_refused_naming_the_new_one():
    with pytest.raises(SettingsError) as caught:
        AddonSettings.from_env(environ={"BMCP_ADDON_MAX_FRAME": "1000"})
    assert str(caught.value) == (
        "BMCP_ADDON_MAX_FRAME was renamed BMCP_MAX_MESSAGE_BYTES (the bridge reads it too): rename it")


def test_code_switch():
    assert code_execution_allowed({}) is True
    assert code_execution_allowed({"BMCP_ALLOW_CODE": "0"}) is False
    assert code_execution_allowed({"BMCP_ALLOW_CODE": "1"}) is True


def test_allow_v1_switch():
    assert AddonSettings.from_env(environ={}).allow_v1 is False
    for on in ("1", "true", "YES", " on "):
        assert AddonSettings.from_env(environ={"BMCP_ALLOW_V1": on}).allow_v1 is True
    for off in ("0", "false", "no", "off", ""):
        assert AddonSettings.from_env(environ={"BMCP_ALLOW_V1": off}).allow_v1 is False
    assert AddonSettings.from_env(allow_v1=True, environ={"BMCP_ALLOW_V1": "0"}).allow_v1 is True
    with pytest.raises(SettingsError, match="BMCP_ALLOW_V1 must be one of"):
        AddonSettings.from_env(environ={"BMCP_ALLOW_V1": "maybe"})


# -- addresses and V1 admission ---------------------------------------------------


@pytest.mark.parametrize(
    "host, loopback",
    [("127.0.0.1", True), ("127.255.0.9", True), ("::1", True), ("::ffff:127.0.0.1", True),
     ("0.0.0.0", False), ("::", False), ("192.0.2.2", False), ("::ffff:10.0.0.1", False),
     ("fe80::1%eth0", False), ("localhost", False), ("", False)],
)
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_v1_refusal_reasons():
    assert v1.refusal(True, True, "127.0.0.1:5000") is None
    assert v1.refusal(False, True, "127.0.0.1:5000") == v1.V1_OFF
    assert "--allow-v1" in v1.V1_OFF and "BMCP_ALLOW_V1=1" in v1.V1_OFF
    assert "192.0.2.2:5000 is not" in v1.refusal(True, False, "192.0.2.2:5000")


# -- serve.py's flags under Blender and under Blender as a Python module ----------


@pytest.mark.parametrize("argv, expected", [
    # blender -b --factory-startup --python Addon/serve.py -- --port 0
    (["blender", "-b", "--factory-startup", "--python", "SERVE", "--", "--port", "0"], ["--port", "0"]),
    (["blender", "-b", "--python", "SERVE"], []),  # Blender's own flags are never ours
    # python Addon/serve.py --port 0 (PyPI's bpy module)
    (["SERVE", "--port", "0"], ["--port", "0"]),
    (["SERVE", "--", "--port", "0"], ["--port", "0"]),
    (["SERVE"], []),
    ([], []),
])
def test_serve_takes_its_flags_after_dashes_or_after_itself(argv, expected):
    import serve

    argv = [serve.__file__ if part == "SERVE" else part for part in argv]
    assert serve.script_arguments(argv, serve.__file__) == expected
