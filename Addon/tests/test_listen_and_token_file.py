"""Where the addon may listen without a token, and --token-file, in a real headless Blender."""

import os

import pytest

from conftest import clean_env, headless_command
from wire_clients import FramedClient


def refused_start(launch_blender, *arguments, env=None):
    """Start a headless addon that must not serve; return its output."""
    blender = launch_blender(headless_command(*arguments), env or clean_env(), wait=False)
    assert blender.wait_exit() != 0, blender.output
    assert "BMCP_ADDON_READY" not in blender.output
    return blender.output


def token_file(folder, token="file-token", mode=0o600):
    path = folder / "addon.token"
    path.write_text(token + "\n")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_a_wildcard_bind_without_a_token_is_refused(launch_blender, host):
    output = refused_start(launch_blender, "--host", host, "--port", "0")
    where = f"[{host}]:0" if ":" in host else f"{host}:0"
    assert (
        f"bmcp_addon: refusing to listen on {where} without a token: set BMCP_ADDON_TOKEN (or --token-file)"
        in output
    )


def test_a_lan_address_without_a_token_is_refused(launch_blender, lan_address):
    output = refused_start(launch_blender, "--port", "0", env=clean_env(BMCP_ADDON_HOST=lan_address))
    assert f"refusing to listen on {lan_address}:0 without a token" in output


def test_an_empty_token_is_no_token(launch_blender):
    output = refused_start(launch_blender, "--host", "0.0.0.0", "--port", "0", env=clean_env(BMCP_ADDON_TOKEN=""))
    assert "without a token" in output


def test_localhost_without_a_token_is_served(launch_blender):
    blender = launch_blender(headless_command("--host", "localhost", "--port", "0"))
    assert blender.address[0] in ("127.0.0.1", "::1")
    blender.stop()


def test_a_token_file_secures_a_wildcard_bind(launch_blender, tmp_path, lan_address):
    path = token_file(tmp_path)
    blender = launch_blender(headless_command("--host", "0.0.0.0", "--port", "0", "--token-file", str(path)))
    try:
        with FramedClient((lan_address, blender.address[1])) as client:
            assert client.hello(token="file-token")["type"] == "hello"  # the newline is not part of it
            assert client.call("scene.info")["object_count"] == 3
        with FramedClient((lan_address, blender.address[1])) as client:
            client.hello(token="wrong", check_addon_proof=False)
            assert client.is_closed_by_peer()
    finally:
        blender.stop()
    assert "file-token" not in " ".join(blender.command)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_token_file_others_can_read_is_refused_naming_its_mode(launch_blender, tmp_path, mode):
    path = token_file(tmp_path, mode=mode)
    output = refused_start(launch_blender, "--port", "0", "--token-file", str(path))
    assert f"token file {path} has mode {mode:04o}, so group or others can read it: run chmod 600 {path}" in output


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda folder: folder / "missing.token", "does not exist"),
        (lambda folder: token_file(folder, token="  "), "is empty"),
        (lambda folder: folder, "is not a regular file"),
    ],
    ids=["missing", "empty", "folder"],
)
def test_unusable_token_files_are_named(launch_blender, tmp_path, make, message):
    path = make(tmp_path)
    output = refused_start(launch_blender, "--port", "0", "--token-file", str(path))
    assert f"token file {os.path.realpath(path)} {message}" in output


def test_token_and_token_file_together_are_refused(launch_blender, tmp_path):
    output = refused_start(launch_blender, "--port", "0", "--token", "t", "--token-file", str(token_file(tmp_path)))
    assert "give either --token or --token-file, not both" in output
