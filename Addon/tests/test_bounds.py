"""The addon's bounds: captured output, message size, hello deadline, connection cap and the
per-connection job queue. Each is a setting; each refusal names its setting."""

import struct

import pytest

from conftest import clean_env, headless_command
from wire_clients import FramedClient, V1Client

SMALL_MESSAGE = 4096


@pytest.fixture(scope="module")
def tight(launch_blender):
    """A small message limit."""
    env = clean_env(BMCP_MAX_MESSAGE_BYTES=SMALL_MESSAGE)
    blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0", "--allow-v1"), env)
    yield blender
    blender.stop()


def greeted(address, token=None):
    connection = FramedClient(address)
    assert connection.hello(token=token)["type"] == "hello"
    return connection


# -- captured output (BMCP_MAX_OUTPUT_BYTES) ------------------------------------------


def test_a_huge_print_is_cut_to_the_output_cap_and_the_connection_goes_on(addon):
    with greeted(addon.address) as client:
        result = client.call("code.execute", {"code": "print('x' * 20_000_000)\nprint('after')"})
        dropped = 20_000_001 + len("after\n") - 1024 * 1024
        assert result["output_dropped_bytes"] == dropped
        kept, _, tail = result["result"].rpartition("\n… ")
        assert kept == "x" * (1024 * 1024)
        assert tail == f"{dropped:,} bytes of output dropped (BMCP_MAX_OUTPUT_BYTES=1048576)\n"
        assert client.call("code.execute", {"code": "print('next')"}) == {
            "executed": True, "result": "next\n", "stderr": ""}


def test_stderr_is_capped_too_and_a_failing_script_reports_the_drop(addon):
    with greeted(addon.address) as client:
        answer = client.request("code.execute", {"code": "import sys\nsys.stderr.write('e' * 3_000_000)\n1/0"})
        error = answer["error"]
        assert error["code"] == "code_failed"
        assert error["output_dropped_bytes"] == 3_000_000 - 1024 * 1024
        assert error["stderr"].startswith("e" * (1024 * 1024) + "\n… ")


# -- message size (BMCP_MAX_MESSAGE_BYTES) ----------------------------------------------


def test_a_reply_over_the_message_limit_becomes_too_large_for_the_same_id(tight):
    with greeted(tight.address) as client:
        answer = client.request("code.execute", {"code": "print('x' * 10_000)"}, request_id="big")
        assert answer["type"] == "error"
        assert answer["id"] == "big"
        error = answer["error"]
        assert error["code"] == "too_large"
        size = int(error["message"].split("reply of ")[1].split()[0])
        assert size > SMALL_MESSAGE
        assert error["message"] == (
            f"code.execute: reply of {size} bytes exceeds the limit of {SMALL_MESSAGE} bytes "
            f"(BMCP_MAX_MESSAGE_BYTES={SMALL_MESSAGE})")
        assert client.call("code.execute", {"code": "print('small')"})["result"] == "small\n"


def test_a_v1_reply_over_the_message_limit_becomes_an_error_and_v1_goes_on(tight):
    with V1Client(tight.address) as v1:
        reply = v1.command("execute_code", {"code": "print('x' * 10_000)"})
        assert reply["status"] == "error"
        assert f"exceeds the limit of {SMALL_MESSAGE} bytes (BMCP_MAX_MESSAGE_BYTES={SMALL_MESSAGE})" in reply["message"]
        assert v1.command("execute_code", {"code": "print('small')"}) == {
            "status": "success", "result": {"executed": True, "result": "small\n"}}


def test_an_incoming_frame_over_the_limit_is_refused_naming_the_setting(tight):
    with greeted(tight.address) as client:
        client.send_raw(struct.pack(">I", SMALL_MESSAGE + 1))
        error = client.receive()["error"]
        assert error == {
            "code": "too_large",
            "message": f"incoming message of {SMALL_MESSAGE + 1} bytes exceeds the limit of {SMALL_MESSAGE} "
            f"bytes (BMCP_MAX_MESSAGE_BYTES={SMALL_MESSAGE})",
        }
        assert client.is_closed_by_peer()
