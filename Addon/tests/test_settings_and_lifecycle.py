"""Token, env-var settings, code switch, idle timeout, bind errors and clean shutdown."""

import signal
import socket

import pytest

from conftest import clean_env, headless_command
from wire_clients import ConnectionClosed, FramedClient, V1Client


@pytest.fixture(scope="module")
def secured(launch_blender):
    """A token and code execution off."""
    env = clean_env(BMCP_ADDON_TOKEN="from-env", BMCP_ALLOW_CODE="0")
    blender = launch_blender(headless_command("--port", "0", "--token", "s3cret"), env)
    yield blender
    blender.stop()


@pytest.fixture(scope="module")
def env_configured(launch_blender):
    """Everything from environment variables, no flags at all."""
    env = clean_env(
        BMCP_ADDON_HOST="127.0.0.1",
        BMCP_ADDON_PORT="0",
        BMCP_ADDON_TOKEN="envtok",
        BMCP_ADDON_IDLE_TIMEOUT="1",
        BMCP_MAX_MESSAGE_BYTES="1000",
    )
    blender = launch_blender(headless_command(), env)
    yield blender
    blender.stop()


def test_code_can_be_disabled(secured):
    with FramedClient(secured.address) as client:
        client.hello(token="s3cret")
        answer = client.request("code.execute", {"code": "print(1)"})
        assert answer["type"] == "error"
        assert answer["error"]["code"] == "code_disabled"
        # Other ops are unaffected.
        assert client.call("object.info", {"name": "Cube"})["name"] == "Cube"


def test_env_vars_configure_port_and_token(env_configured):
    assert env_configured.address[0] == "127.0.0.1"
    with FramedClient(env_configured.address) as client:
        assert client.hello(token="envtok")["type"] == "hello"


def test_env_max_message(env_configured):
    with FramedClient(env_configured.address) as client:
        client.hello(token="envtok")
        answer = client.request("code.execute", {"code": "print('x' * 900)"})
        assert answer["type"] == "reply"
        client.send({"type": "request", "id": "big", "op": "code.execute", "params": {"code": "#" * 2000}})
        answer = client.receive()
        assert answer["error"]["code"] == "too_large"
        assert "limit of 1000 bytes (BMCP_MAX_MESSAGE_BYTES=1000)" in answer["error"]["message"]
        assert client.is_closed_by_peer()


def test_idle_connection_is_closed(env_configured):
    with FramedClient(env_configured.address) as client:
        assert client.hello(token="envtok")["type"] == "hello"
        # No traffic from here on: the server must hang up by itself.
        assert client.is_closed_by_peer()
    with FramedClient(env_configured.address) as client:
        assert client.hello(token="envtok")["type"] == "hello"


def test_running_command_is_not_idleness(env_configured):
    with FramedClient(env_configured.address) as client:
        client.hello(token="envtok")
        # Runs three times as long as the idle timeout; the reply must still arrive.
        result = client.call("code.execute", {"code": "import time\ntime.sleep(3)\nprint('done')"})
        assert result["result"] == "done\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_with_exit_code_zero(launch_blender, sig):
    blender = launch_blender(headless_command("--port", "0"))
    client = FramedClient(blender.address)
    client.hello()
    assert client.call("scene.info")["object_count"] == 3
    assert blender.stop(sig) == 0, blender.output
    assert client.is_closed_by_peer()
    client.close()
    assert "Traceback" not in blender.output


def test_port_in_use_is_a_clear_error(launch_blender):
    with socket.socket() as occupier:
        occupier.bind(("127.0.0.1", 0))
        occupier.listen()
        port = occupier.getsockname()[1]
        blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", str(port)), wait=False)
        code = blender.wait_exit()
    assert code != 0
    assert f"127.0.0.1:{port}" in blender.output
    assert "BMCP_ADDON_READY" not in blender.output


def test_bad_env_value_is_a_clear_error(launch_blender):
    env = clean_env(BMCP_ADDON_IDLE_TIMEOUT="soon")
    blender = launch_blender(headless_command("--port", "0"), env, wait=False)
    assert blender.wait_exit() != 0
    assert "BMCP_ADDON_IDLE_TIMEOUT" in blender.output
