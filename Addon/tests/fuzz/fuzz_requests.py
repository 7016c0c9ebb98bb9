"""Fuzzes what the network thread does with one decoded v2 frame before any op runs: the
greeting (protocol.Greeting: ProtocolError only), frame_type and parse_request (ProtocolError
only; session contexts through session_context.parse_session_context, BadSession only), and the
registry's param validation (OpSpec.bind: OpError only). Invariant: accepted numbers are in range."""

import math

import fuzz_common
import atheris

with atheris.instrument_imports():
    from bmcp_addon import protocol
    from bmcp_addon.framing import decode_payload
    from bmcp_addon.registry import (COLOR_RGBA, INTEGER, NAME, NUMBER, VECTOR3, OpError, OpRegistry, Param,
                                     one_of)
    from bmcp_addon.session_context import BadSession, parse_session_context

DATA_DIR = "/data/bmcp"
REGISTRY = OpRegistry()


@REGISTRY.op("fuzz.op", name=Param(NAME), count=Param(INTEGER, 10, minimum=1, maximum=1000),
             timeout_s=Param(NUMBER, None, minimum=0.001, maximum=86400.0), location=Param(VECTOR3, None),
             color=Param(COLOR_RGBA, None), kind=Param(one_of("Cube", "Sphere"), "Cube"))
def fuzz_op(ctx, **arguments):
    return arguments


def check_greeting(frame, token):
    greeting = protocol.Greeting(token, {"type": "hello"}, port=9876, new_nonce=lambda: "ab" * 32)
    try:
        greeting.on_frame(frame)
        if greeting.challenged:
            greeting.on_frame(frame)
    except protocol.ProtocolError as exc:
        assert exc.close


def check_request(frame):
    try:
        protocol.frame_type(frame)
        request = protocol.parse_request(frame, DATA_DIR)
    except protocol.ProtocolError:
        return
    try:
        arguments = REGISTRY.run("fuzz.op", request.params, None)
    except OpError as exc:
        assert exc.code == "bad_params"
        return
    timeout = arguments["timeout_s"]
    assert timeout is None or (math.isfinite(timeout) and 0.001 <= timeout <= 86400.0), timeout
    assert 1 <= arguments["count"] <= 1000


def check_session(frame):
    raw = frame.get("session") if isinstance(frame, dict) else frame
    try:
        parse_session_context(raw, DATA_DIR)
    except BadSession:
        pass


def test_one_input(data):
    try:
        frame = decode_payload(data[1:])
    except ValueError:
        return
    check_greeting(frame, "tok" if data[:1] == b"t" else None)
    check_request(frame)
    check_session(frame)


if __name__ == "__main__":
    fuzz_common.run(test_one_input)
