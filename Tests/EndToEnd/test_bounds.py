"""One size limit for a message, BMCP_MAX_MESSAGE_BYTES, kept by every hop with a clear error
and no link lost: a request over it is refused by the bridge before it reaches Blender, and
the same Blender answers the next request at once."""

import tempfile
from pathlib import Path

import pytest

from bus import BusClient
from system import System

LIMIT = 65536


@pytest.fixture(scope="module")
def system():
    running = System(Path(tempfile.mkdtemp(prefix="bmcp-bounds-", dir="/tmp")))
    running.env["BMCP_MAX_MESSAGE_BYTES"] = str(LIMIT)
    running.start()
    yield running
    running.stop()


def test_a_request_over_the_message_limit_is_refused_and_the_link_stays(system):
    client = BusClient(system.env["BMCP_BROKER_CLIENTS"], "bounds-client")
    session = client.call("session.create", params={"name": "bounds"})["session_id"]
    assert "ok" in str(client.call("code.execute", session, {"code": "print('ok')"}))
    code = "x = 1  # " + "y" * (LIMIT + 1000)
    request_id = client.send("code.execute", session, {"code": code})
    refused = client.receive()
    while refused.get("id") != request_id:
        refused = client.receive()
    assert refused["kind"] == "error", refused
    error = refused["error"]
    assert error["code"] == "too_large" and "BMCP_MAX_MESSAGE_BYTES" in error["message"], error
    assert str(LIMIT) in error["message"] and "nothing was sent to Blender" in error["message"]
    # The same Blender, at once: the link was never dropped.
    assert "still here" in str(client.call("code.execute", session, {"code": "print('still here')"}))
    bridge = system.processes["blender-bridge"].text()
    assert "reconnecting" not in bridge, bridge[-2000:]
    client.close()


def test_a_service_refuses_to_start_on_a_bad_limit(system):
    import subprocess
    done = subprocess.run([str(system.bin / "log-writer")], env={**system.env, "BMCP_MAX_MESSAGE_BYTES": "lots"},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "BMCP_MAX_MESSAGE_BYTES must be a whole number of bytes" in done.stdout + done.stderr
