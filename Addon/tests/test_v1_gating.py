"""V1 (bare JSON, no token) is served only when enabled, and then only to loopback peers."""

import json

import pytest

from conftest import clean_env, headless_command
from wire_clients import ConnectionClosed, FramedClient, V1Client

V1_OFF = (
    "V1 protocol is off in this addon: enable it with --allow-v1, BMCP_ALLOW_V1=1 "
    "or the addon preferences checkbox 'Allow V1 clients'"
)
TOKEN = "v1-gate-token"


@pytest.fixture(scope="module")
def opted_in(launch_blender):
    """V1 enabled (env), a token set, listening on every address."""
    env = clean_env(BMCP_ALLOW_V1="yes", BMCP_ADDON_TOKEN=TOKEN)
    blender = launch_blender(headless_command("--host", "0.0.0.0", "--port", "0"), env)
    yield blender
    blender.stop()


def marker_code(path):
    return {"type": "execute_code", "params": {"code": f"open({str(path)!r}, 'w').close()"}}


def assert_refused(client, message_part, marker):
    client.send_raw(json.dumps(marker_code(marker)).encode())
    reply = client.receive()
    assert reply["status"] == "error"
    assert message_part in reply["message"]
    with pytest.raises(ConnectionClosed):
        client.receive()
    assert not marker.exists(), "a refused V1 client's code ran"


def test_v1_is_off_by_default(addon, tmp_path):
    with V1Client(addon.address) as client:
        client.send_raw(json.dumps(marker_code(tmp_path / "ran")).encode())
        assert client.receive() == {"status": "error", "message": V1_OFF}
        with pytest.raises(ConnectionClosed):
            client.receive()
    assert not (tmp_path / "ran").exists()
    with FramedClient(addon.address) as client:  # v2 is unaffected
        assert client.hello()["type"] == "hello"


def test_v1_opted_in_is_served_from_loopback_despite_the_token(opted_in, tmp_path):
    with V1Client(("127.0.0.1", opted_in.address[1])) as client:
        assert client.command("get_scene_info")["result"]["object_count"] == 3
        code = marker_code(tmp_path / "ok")
        assert client.command(code["type"], code["params"])["status"] == "success"
    assert (tmp_path / "ok").exists()


def test_v1_from_a_non_loopback_peer_is_refused(opted_in, lan_address, tmp_path):
    port = opted_in.address[1]
    with V1Client((lan_address, port), source_address=(lan_address, 0)) as client:
        assert client.sock.getsockname()[0] == lan_address
        assert_refused(client, f"loopback only (127.0.0.0/8, ::1), and {lan_address}:", tmp_path / "ran")
    # v2 from the same peer still works: it has the token to prove.
    with FramedClient((lan_address, port)) as client:
        assert client.hello(token=TOKEN)["type"] == "hello"


def test_a_bad_allow_v1_value_is_a_clear_start_error(launch_blender):
    blender = launch_blender(headless_command("--port", "0"), clean_env(BMCP_ALLOW_V1="maybe"), wait=False)
    assert blender.wait_exit() != 0
    assert "BMCP_ALLOW_V1 must be one of 1, true, yes, on, 0, false, no, off, got 'maybe'" in blender.output
