"""The addon's bounds: captured output, message size, hello deadline, connection cap and the
per-connection job queue. Each is a setting; each refusal names its setting."""

import socket
import struct
import time

import pytest

from conftest import clean_env, headless_command
from wire_clients import ConnectionClosed, FramedClient, V1Client

TOKEN = "bounds-token"
SMALL_MESSAGE = 4096
HELLO_TIMEOUT = 1
CONNECTION_CAP = 2
PENDING_CAP = 2
RAISED_OUTPUT = 8_000_000
# A hang guard, not a speed check.
DEADLINE = 60.0


@pytest.fixture(scope="module")
def tight(launch_blender):
    """A small message limit and a short hello deadline, with a token (so a hello has two steps)."""
    env = clean_env(BMCP_MAX_MESSAGE_BYTES=SMALL_MESSAGE, BMCP_HELLO_TIMEOUT=HELLO_TIMEOUT, BMCP_ADDON_TOKEN=TOKEN)
    blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0", "--allow-v1"), env)
    yield blender
    blender.stop()


@pytest.fixture(scope="module")
def strict(launch_blender):
    """A short hello deadline with V1 off: a peer that says nothing has nothing to wait for."""
    env = clean_env(BMCP_HELLO_TIMEOUT=HELLO_TIMEOUT, BMCP_ADDON_TOKEN=TOKEN)
    blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0"), env)
    yield blender
    blender.stop()


@pytest.fixture(scope="module")
def capped(launch_blender):
    """Few connections, few pending jobs per connection, and a raised output cap."""
    env = clean_env(BMCP_MAX_ADDON_CONNECTIONS=CONNECTION_CAP, BMCP_MAX_PENDING_JOBS=PENDING_CAP,
                    BMCP_MAX_OUTPUT_BYTES=RAISED_OUTPUT)
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


def test_a_raised_output_cap_lets_a_large_result_arrive_whole(capped):
    with connect_when_admitted(capped.address) as client:
        # ~6 MB of stdout: the reply is bigger than any socket buffer.
        result = client.call("code.execute", {"code": "print('x' * 6_000_000)"})
        assert len(result["result"]) == 6_000_001
        assert "output_dropped_bytes" not in result


# -- message size (BMCP_MAX_MESSAGE_BYTES) ----------------------------------------------


def test_a_reply_over_the_message_limit_becomes_too_large_for_the_same_id(tight):
    with greeted(tight.address, TOKEN) as client:
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
    with greeted(tight.address, TOKEN) as client:
        client.send_raw(struct.pack(">I", SMALL_MESSAGE + 1))
        error = client.receive()["error"]
        assert error == {
            "code": "too_large",
            "message": f"incoming message of {SMALL_MESSAGE + 1} bytes exceeds the limit of {SMALL_MESSAGE} "
            f"bytes (BMCP_MAX_MESSAGE_BYTES={SMALL_MESSAGE})",
        }
        assert client.is_closed_by_peer()


def test_an_incoming_v1_message_over_the_limit_is_refused_naming_the_setting(tight):
    with V1Client(tight.address) as v1:
        message = b'{"type":"execute_code","params":{"code":"' + b"#" * SMALL_MESSAGE + b'"}}'
        v1.send_raw(message)
        assert v1.receive() == {
            "status": "error",
            "message": f"incoming message of {len(message)} bytes exceeds the limit of {SMALL_MESSAGE} bytes "
            f"(BMCP_MAX_MESSAGE_BYTES={SMALL_MESSAGE})",
        }


# -- hello deadline (BMCP_HELLO_TIMEOUT) --------------------------------------------------


def test_a_silent_connection_is_closed_after_the_hello_timeout(strict):
    with greeted(strict.address, TOKEN) as early:
        with FramedClient(strict.address) as silent:
            with pytest.raises(ConnectionClosed) as closed:
                silent.receive()
            assert "0 of 4 bytes" in str(closed.value)  # closed without a word: its protocol is unknown
        # Greeted before the silent one and idle as long: the deadline is for the hello only.
        assert early.call("addon.health")["mode"] == "headless"


def test_a_silent_v1_client_is_not_cut_off_while_v1_is_allowed(tight):
    """V1 clients connect at start and speak at their first tool call: the deadline is for a
    hello begun and not finished, and a peer that sent nothing has begun none."""
    with V1Client(tight.address) as v1:
        time.sleep(HELLO_TIMEOUT * 2.5)
        assert v1.command("execute_code", {"code": "print('late')"}) == {
            "status": "success", "result": {"executed": True, "result": "late\n"}}


def test_a_hello_left_unfinished_gets_hello_timeout_naming_the_setting(tight):
    with FramedClient(tight.address) as client:
        challenge = client.hello(token=None)  # the challenge, left unanswered
        assert challenge["type"] == "challenge"
        answer = client.receive()
        assert answer == {
            "type": "error",
            "id": None,
            "error": {
                "code": "hello_timeout",
                "message": f"no hello within {HELLO_TIMEOUT} s of connecting (BMCP_HELLO_TIMEOUT={HELLO_TIMEOUT})",
            },
        }
        assert client.is_closed_by_peer()


# -- connection cap (BMCP_MAX_ADDON_CONNECTIONS) -----------------------------------------

REFUSAL = (
    f"this addon serves at most {CONNECTION_CAP} connections at once "
    f"(BMCP_MAX_ADDON_CONNECTIONS={CONNECTION_CAP}): close one, or raise the setting"
)


def test_a_connection_over_the_cap_is_refused_naming_the_setting(capped):
    first, second = greeted(capped.address), greeted(capped.address)
    try:
        with FramedClient(capped.address) as third:
            assert third.hello() == {"type": "error", "id": None,
                                     "error": {"code": "too_many_connections", "message": REFUSAL}}
            assert third.is_closed_by_peer()
        with V1Client(capped.address) as v1:
            assert v1.command("get_scene_info") == {"status": "error", "message": REFUSAL}
        assert first.call("addon.health")["connections"] == CONNECTION_CAP
    finally:
        first.close()
    # Room again once one has gone (the addon sees the close a moment later).
    with connect_when_admitted(capped.address) as again:
        assert again.call("scene.info")["object_count"] == 3
    second.close()


def test_past_twice_the_cap_a_connection_is_closed_without_a_word(capped):
    # The refusals are bounded too: at most `cap` connections wait to be told, the next goes at once.
    admitted = [connect_when_admitted(capped.address) for _ in range(CONNECTION_CAP)]
    waiting = [FramedClient(capped.address) for _ in range(CONNECTION_CAP)]  # told once they speak
    try:
        deadline = time.monotonic() + DEADLINE
        while admitted[0].call("addon.health")["connections"] < 2 * CONNECTION_CAP:
            assert time.monotonic() < deadline, "the waiting connections were never counted"
            time.sleep(0.05)
        with FramedClient(capped.address) as dropped:
            with pytest.raises((ConnectionClosed, ConnectionError)):
                dropped.hello()  # no refusal frame: closed before a byte is read or written
        assert waiting[0].hello() == {"type": "error", "id": None,
                                      "error": {"code": "too_many_connections", "message": REFUSAL}}
    finally:
        for connection in admitted + waiting:
            connection.close()


def connect_when_admitted(address):
    deadline = time.monotonic() + DEADLINE
    while True:
        client = FramedClient(address)
        answer = client.hello()
        if answer["type"] == "hello":
            return client
        client.close()
        assert answer["error"]["code"] == "too_many_connections", answer
        assert time.monotonic() < deadline, "the closed connection never made room"
        time.sleep(0.05)


# -- pending jobs per connection (BMCP_MAX_PENDING_JOBS) ---------------------------------

# Runs on the main thread while the test sends more requests; reports how many jobs reached the
# main thread's queue. The executor is found through gc: headless, the addon keeps it in a local.
QUEUE_WATCH = """
import gc, time
from bmcp_addon.executor import MainThreadExecutor
executor = next(o for o in gc.get_objects() if isinstance(o, MainThreadExecutor))
deadline = time.monotonic() + 5
while executor._jobs.qsize() < {total} and time.monotonic() < deadline:
    time.sleep(0.02)
print(executor._jobs.qsize())
"""


def test_a_full_queue_stops_reading_the_connection_and_loses_nothing(capped):
    total = 10
    with connect_when_admitted(capped.address) as client:
        client.send({"type": "request", "id": "watch", "op": "code.execute",
                     "params": {"code": QUEUE_WATCH.format(total=total)}})
        for index in range(total):
            client.send({"type": "request", "id": f"q{index}", "op": "object.info", "params": {"name": "Cube"}})
        watch = client.receive()
        assert watch["id"] == "watch"
        # The watcher itself is one of the connection's pending jobs.
        assert int(watch["result"]["result"]) <= PENDING_CAP - 1
        answers = [client.receive() for _ in range(total)]
        assert [a["id"] for a in answers] == [f"q{index}" for index in range(total)]
        assert {a["result"]["name"] for a in answers} == {"Cube"}
