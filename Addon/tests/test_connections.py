"""Several connections at once: isolation, concurrency, misbehaving clients."""

import socket
import struct
import threading
import time

import pytest

from wire_clients import FramedClient


def greeted(addon):
    connection = FramedClient(addon.address)
    assert connection.hello()["type"] == "hello"
    return connection


def wait_for_file_code(path, started=None):
    """Code that blocks Blender's main thread until the test creates `path`.

    If `started` is given, the code creates that file first, so the test can
    tell the command is really running.
    """
    return (
        "import os, time\n"
        f"started = {str(started) if started else None!r}\n"
        "if started: open(started, 'w').close()\n"
        f"path = {str(path)!r}\n"
        "deadline = time.monotonic() + 120\n"
        "while not os.path.exists(path) and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
        "print('released' if os.path.exists(path) else 'gave up')\n"
    )


def wait_until_exists(path):
    deadline = time.monotonic() + 120  # a hang guard, not a speed check
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def test_oversized_frame_closes_only_that_connection(addon):
    with greeted(addon) as other, greeted(addon) as offender:
        offender.send_raw(struct.pack(">I", 20 * 1024 * 1024) + b"{")
        answer = offender.receive()
        assert answer == {
            "type": "error",
            "id": None,
            "error": {
                "code": "too_large",
                "message": f"incoming message of {20 * 1024 * 1024} bytes exceeds the limit of "
                f"{16 * 1024 * 1024} bytes (BMCP_MAX_MESSAGE_BYTES={16 * 1024 * 1024})",
            },
        }
        assert offender.is_closed_by_peer()
        assert other.call("scene.info")["object_count"] == 3
    with greeted(addon) as fresh:
        assert fresh.call("addon.health")["mode"] == "headless"


def test_interleaved_requests_on_two_connections(addon):
    with greeted(addon) as first, greeted(addon) as second:
        for index in range(5):
            first.send({"type": "request", "id": f"a{index}", "op": "object.info", "params": {"name": "Cube"}})
            second.send({"type": "request", "id": f"b{index}", "op": "object.info", "params": {"name": "Camera"}})
        first_answers = [first.receive() for _ in range(5)]
        second_answers = [second.receive() for _ in range(5)]
    assert [a["id"] for a in first_answers] == [f"a{i}" for i in range(5)]
    assert [a["id"] for a in second_answers] == [f"b{i}" for i in range(5)]
    assert {a["result"]["name"] for a in first_answers} == {"Cube"}
    assert {a["result"]["name"] for a in second_answers} == {"Camera"}


def test_concurrent_clients_in_threads(addon):
    failures = []

    def worker(number):
        try:
            with greeted(addon) as connection:
                for _ in range(50):
                    result = connection.call("code.execute", {"code": f"print({number})"})
                    if result["result"] != f"{number}\n":
                        failures.append((number, result))
        except Exception as exc:  # reported below with the worker's number
            failures.append((number, repr(exc)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_ping_is_answered_while_a_long_command_runs(addon, tmp_path):
    gate, started = tmp_path / "release", tmp_path / "started"
    with greeted(addon) as busy, greeted(addon) as pinger:
        try:
            code = wait_for_file_code(gate, started)
            busy.send({"type": "request", "id": "long", "op": "code.execute", "params": {"code": code}})
            wait_until_exists(started)
            # Queued behind the long command on the main thread.
            pinger.send({"type": "request", "id": "queued", "op": "scene.info"})
            # Answered by the network thread although the main thread is blocked.
            for index in range(20):
                pinger.send({"type": "ping", "id": f"p{index}"})
                assert pinger.receive() == {"type": "pong", "id": f"p{index}"}
        finally:
            gate.touch()  # never leave Blender blocked for the next tests
        assert busy.receive() == {"type": "reply", "id": "long", "result": {"executed": True, "result": "released\n", "stderr": ""}}
        queued = pinger.receive()
        assert queued["id"] == "queued"
        assert queued["result"]["object_count"] == 3


def test_client_disconnecting_mid_request(addon, tmp_path):
    gate, started = tmp_path / "release", tmp_path / "started"
    with greeted(addon) as survivor:
        leaver = greeted(addon)
        code = wait_for_file_code(gate, started)
        leaver.send({"type": "request", "id": "gone", "op": "code.execute", "params": {"code": code}})
        leaver.send({"type": "request", "id": "gone2", "op": "scene.info"})
        try:
            wait_until_exists(started)
            # Queued behind the running command; answered once it finishes.
            survivor.send({"type": "request", "id": "after", "op": "scene.info"})
            leaver.sock.shutdown(socket.SHUT_RDWR)
            leaver.close()
        finally:
            gate.touch()
        answer = survivor.receive()
        assert answer["id"] == "after"
        assert answer["result"]["object_count"] == 3
    with greeted(addon) as fresh:
        assert fresh.call("addon.health")["connections"] >= 1


def test_client_disconnecting_mid_frame(addon):
    leaver = greeted(addon)
    frame = FramedClient.encode({"type": "request", "id": "half", "op": "scene.info"})
    leaver.send_raw(frame[: len(frame) // 2])
    leaver.close()
    with greeted(addon) as fresh:
        assert fresh.call("scene.info")["object_count"] == 3


def test_client_vanishing_before_reading_big_reply(addon):
    leaver = greeted(addon)
    leaver.send({"type": "request", "id": "big", "op": "code.execute", "params": {"code": "print('y' * 8_000_000)"}})
    leaver.close()
    with greeted(addon) as fresh:
        assert fresh.call("scene.info")["object_count"] == 3


def test_ten_thousand_pings_on_one_connection(addon):
    count = 10_000
    with greeted(addon) as connection:
        batch = b"".join(FramedClient.encode({"type": "ping", "id": str(i)}) for i in range(count))
        sender = threading.Thread(target=connection.send_raw, args=(batch,))
        sender.start()
        pongs = [connection.receive() for _ in range(count)]
        sender.join()
        assert pongs == [{"type": "pong", "id": str(i)} for i in range(count)]
        # Requests still work after the flood.
        assert connection.call("scene.info")["object_count"] == 3


def test_frames_split_into_single_bytes(addon):
    with FramedClient(addon.address) as connection:
        data = FramedClient.encode({"type": "hello", "protocol": 2, "client": "slow"})
        data += FramedClient.encode({"type": "request", "id": "s", "op": "object.info", "params": {"name": "Cube"}})
        for index in range(len(data)):
            connection.send_raw(data[index:index + 1])
        assert connection.receive()["type"] == "hello"
        assert connection.receive()["result"]["name"] == "Cube"


def test_many_frames_in_one_send(addon):
    with FramedClient(addon.address) as connection:
        data = FramedClient.encode({"type": "hello", "protocol": 2, "client": "batch"})
        data += b"".join(
            FramedClient.encode({"type": "request", "id": str(i), "op": "scene.info"}) for i in range(100)
        )
        connection.send_raw(data)
        assert connection.receive()["type"] == "hello"
        answers = [connection.receive() for _ in range(100)]
    assert [a["id"] for a in answers] == [str(i) for i in range(100)]


# Under BMCP_MAX_ADDON_CONNECTIONS (16), with room for a connection of another test not yet seen closed.
@pytest.mark.parametrize("count", [12])
def test_health_counts_open_connections(addon, count):
    connections = [greeted(addon) for _ in range(count)]
    try:
        assert connections[0].call("addon.health")["connections"] >= count
    finally:
        for connection in connections:
            connection.close()
