"""V1 (bare JSON, no token) is served only when enabled, and then only to loopback peers."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import clean_env, headless_command
from wire_clients import ConnectionClosed, FramedClient, V1Client

V1_OFF = (
    "V1 protocol is off in this addon: enable it with --allow-v1, BMCP_ALLOW_V1=1 "
    "or the addon preferences checkbox 'Allow V1 clients'"
)
TOKEN = "v1-gate-token"
DUMMY_INTERFACE = "bmcptest0"
DUMMY_ADDRESS = "10.254.254.1"


def local_non_loopback_ipv4():
    """An IPv4 address of this machine that is not loopback, or None."""
    listing = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        address = line.split()[3].split("/")[0]  # "2: eth0    inet 192.0.2.2/24 brd ..."
        if not address.startswith("127."):
            return address
    return None


def run_ip(*arguments):
    return subprocess.run(["ip", *arguments], capture_output=True, text=True)


def make_test_address():
    """Put DUMMY_ADDRESS on a dummy interface, or on lo where the kernel has no dummy
    driver (some containers); return the command that removes it again."""
    if run_ip("link", "add", DUMMY_INTERFACE, "type", "dummy").returncode == 0:
        added = run_ip("addr", "add", f"{DUMMY_ADDRESS}/32", "dev", DUMMY_INTERFACE)
        if added.returncode == 0 and run_ip("link", "set", DUMMY_INTERFACE, "up").returncode == 0:
            return ("link", "del", DUMMY_INTERFACE)
        run_ip("link", "del", DUMMY_INTERFACE)
    added = run_ip("addr", "add", f"{DUMMY_ADDRESS}/32", "dev", "lo")
    if added.returncode != 0:
        pytest.fail(
            f"this machine has no non-loopback IPv4 address and adding {DUMMY_ADDRESS} failed "
            f"({added.stderr.strip()}): run the tests as root or give the machine an address",
            pytrace=False,
        )
    return ("addr", "del", f"{DUMMY_ADDRESS}/32", "dev", "lo")


@pytest.fixture(scope="module")
def lan_address():
    """A non-loopback address of this machine to connect from: an existing one, else one
    made for the test (needs root, as CI has) and removed afterwards. Traffic to it stays
    on this machine. ADDON_TESTS_MAKE_ADDRESS=1 makes one even when an address exists."""
    if shutil.which("ip") is None:
        pytest.fail("the 'ip' command (iproute2) is needed to find or make a non-loopback address", pytrace=False)
    address = None if os.environ.get("ADDON_TESTS_MAKE_ADDRESS") == "1" else local_non_loopback_ipv4()
    if address is not None:
        yield address
        return
    removal = make_test_address()
    try:
        yield DUMMY_ADDRESS
    finally:
        run_ip(*removal)


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
