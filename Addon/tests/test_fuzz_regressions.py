"""Inputs the fuzz targets (tests/fuzz, scripts/fuzz-addon.sh) made fail, kept as unit tests.

Each raised something other than the code's documented error type, which on the network
thread means a dropped connection with no word to the peer, or broke an invariant."""

import struct

from bmcp_addon.framing import V1Reader, V1SyntaxError, decode_payload
from bmcp_addon.registry import NUMBER, VECTOR3, OpError, OpRegistry, Param
import pytest

from wire_clients import FramedClient

# Past CPython's recursion limit (1000) and its limit on digits in an int (4300).
DEEP = b"[" * 1200 + b"]" * 1200
LONG_NUMBER = b"1" * 4400


def test_decode_payload_refuses_nesting_past_the_recursion_limit_as_a_value_error():
    # fuzz_framing, seed framed_past_recursion_limit: RecursionError escaped.
    with pytest.raises(ValueError, match="nested too deeply"):
        decode_payload(b'{"a":' + DEEP + b"}")


def test_decode_payload_reports_an_over_long_number_as_a_value_error():
    with pytest.raises(ValueError, match="4300"):
        decode_payload(b'{"n":' + LONG_NUMBER + b"}")


@pytest.mark.parametrize("message", [b'{"a":' + DEEP + b"}", b'{"n":' + LONG_NUMBER + b"}"])
def test_v1_reader_marks_an_unparseable_message_broken_instead_of_raising(message):
    # fuzz_v1_reader, seeds past_recursion_limit (RecursionError) and past_digit_limit (ValueError).
    reader = V1Reader()
    assert reader.feed(b'{"type":"ok"}' + message) == [{"type": "ok"}]
    assert isinstance(reader.error, V1SyntaxError)
    assert str(reader.error).startswith("message is not valid JSON: ")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_number_param_refuses_nan_and_infinities(value):
    # fuzz_requests: {"timeout_s": NaN} passed "a number between 0.001 and 86400" (NaN compares
    # false with both bounds); code.execute then stopped at once with "time limit of nan s".
    registry = OpRegistry()
    registry.op("t.op", timeout_s=Param(NUMBER, None, minimum=0.001, maximum=86400.0),
                where=Param(VECTOR3, None))(lambda ctx, **kwargs: kwargs)
    with pytest.raises(OpError) as caught:
        registry.run("t.op", {"timeout_s": value}, None)
    assert caught.value.code == "bad_params"
    assert caught.value.message == f"t.op: param 'timeout_s' must be a number between 0.001 and 86400.0, got float {value!r}"
    with pytest.raises(OpError):
        registry.run("t.op", {"where": [0, value, 0]}, None)


def test_a_deeply_nested_request_is_answered_bad_json_and_the_connection_goes_on(addon):
    with FramedClient(addon.address) as client:
        client.hello()
        body = b'{"type":"request","id":"deep","op":"scene.info","params":{"a":' + DEEP + b"}}"
        client.send_raw(struct.pack(">I", len(body)) + body)
        answer = client.receive()
        assert answer["type"] == "error"
        assert answer["error"]["code"] == "bad_json"
        assert "nested too deeply" in answer["error"]["message"]
        assert client.call("scene.info")["object_count"] == 3


def test_nan_timeout_is_refused_on_the_wire(addon):
    with FramedClient(addon.address) as client:
        client.hello()
        body = b'{"type":"request","id":"nan","op":"code.execute","params":{"code":"print(1)","timeout_s":NaN}}'
        client.send_raw(struct.pack(">I", len(body)) + body)
        error = client.receive()["error"]
        assert error["code"] == "bad_params"
        assert "timeout_s" in error["message"]
