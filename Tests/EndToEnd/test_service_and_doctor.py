"""`bmcp service install|uninstall` writes and removes the systemd user unit in a temporary
HOME (and says plainly when it cannot enable it), and `bmcp doctor` passes on a healthy setup
and names each failed check with its fix on an unhealthy one."""

import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from resident import bmcp, free_ports, temporary_home  # noqa: E402
from system import binaries, blender_executable  # noqa: E402


@pytest.fixture
def user(tmp_path):
    env = temporary_home(tmp_path)
    env["BMCP_DATA"] = str(tmp_path / "data")
    return tmp_path, env


def test_service_install_writes_the_unit_and_uninstall_removes_it(user):
    root, env = user
    unit = Path(env["XDG_CONFIG_HOME"]) / "systemd" / "user" / "bmcp.service"
    env["BMCP_HEARTBEAT_MS"] = "500"

    written = bmcp("service", "install", "--no-enable", "--", "--blenders", "2", env=env, timeout=60)
    assert written.returncode == 0, written.stdout + written.stderr
    assert f"wrote {unit}" in written.stdout
    text = unit.read_text()
    assert text in written.stdout  # it printed exactly what it wrote
    assert f"ExecStart={binaries().resolve() / 'bmcp'} up --blenders 2\n" in text
    assert f'Environment="BMCP_DATA={root / "data"}"' in text
    assert 'Environment="BMCP_HEARTBEAT_MS=500"' in text
    assert "WantedBy=default.target" in text and "[Service]" in text
    assert "systemctl" not in written.stdout  # --no-enable: nothing was run
    assert unit.stat().st_mode & 0o777 == 0o600  # it may hold BMCP_TOKEN

    # With enabling: there is no user manager to reach here, and it must say so and fail.
    enabling = bmcp("service", "install", "--", "--blenders", "2", env=env, timeout=60)
    assert enabling.returncode == 1, enabling.stdout + enabling.stderr
    assert unit.read_text() == text  # the unit is written even though enabling failed
    assert "NOT DONE: `systemctl --user enable --now bmcp.service` failed (exit" in enabling.stdout
    assert "so the service was not enabled; run it yourself in your login session" in enabling.stdout

    removed = bmcp("service", "uninstall", "--no-enable", env=env, timeout=60)
    assert removed.returncode == 0 and f"removed {unit}" in removed.stdout, removed.stdout + removed.stderr
    assert not unit.exists()
    again = bmcp("service", "uninstall", "--no-enable", env=env, timeout=60)
    assert again.returncode == 0 and f"nothing to remove: {unit} does not exist" in again.stdout


def test_service_rejects_an_unknown_action_and_bad_up_arguments(user):
    _, env = user
    done = bmcp("service", "start", env=env, timeout=60)
    assert done.returncode != 0 and "action must be install or uninstall, got 'start'" in done.stderr
    done = bmcp("service", "install", "--no-enable", "--", "--blenders", "many", env=env, timeout=60)
    assert done.returncode != 0, done.stdout
    assert "the arguments for `bmcp up` are not valid" in done.stderr and "--blenders" in done.stderr and "many" in done.stderr
    assert not (Path(env["XDG_CONFIG_HOME"]) / "systemd").exists()


def tcp_endpoints(env):
    first = free_ports(6)
    names = ["BMCP_BROKER_CLIENTS", "BMCP_BROKER_WORKERS", "BMCP_EVENTS_IN", "BMCP_EVENTS_OUT", "BMCP_PROMPTS", "BMCP_LOGS"]
    for offset, name in enumerate(names):
        env[name] = f"tcp://127.0.0.1:{first + offset}"
    return first


def test_doctor_unhealthy_then_healthy(user):
    root, env = user
    first = tcp_endpoints(env)

    # Unhealthy: the addon is not installed, the prompt-service port is taken, data unwritable.
    (root / "a-file").write_text("not a folder")
    unhealthy = {**env, "BMCP_DATA": str(root / "a-file" / "data")}
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", first + 4))
        holder.listen()
        sick = bmcp("doctor", env=unhealthy, timeout=300)
    assert sick.returncode == 1, sick.stdout + sick.stderr
    out = sick.stdout
    assert f"FAIL prompt-service endpoint tcp://127.0.0.1:{first + 4} is in use by another program\n     fix: stop what uses it" in out
    assert "or choose another endpoint with --prompts / BMCP_PROMPTS" in out
    assert f"ok   log-writer endpoint tcp://127.0.0.1:{first + 5} is free" in out
    series = next(line for line in out.splitlines() if "addon installed for Blender" in line).split("Blender ")[1].split()[0]
    assert f"FAIL addon installed for Blender {series} (GUI use): not in {env['XDG_CONFIG_HOME']}/blender/{series}/scripts/addons/bmcp_addon" in out
    assert f"fix: bmcp install-addon --blender {blender_executable()}" in out
    assert f"FAIL data directory {root / 'a-file' / 'data'} is writable\n     fix: choose a writable folder with --data or BMCP_DATA" in out
    assert "3 check(s) failed" in out
    assert "note bmcp up is not running" in out

    installed = bmcp("install-addon", env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    healthy = bmcp("doctor", env=env, timeout=300)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "FAIL" not in healthy.stdout and "all checks passed" in healthy.stdout
    assert f"ok   addon installed for Blender {series} (GUI use) at {env['XDG_CONFIG_HOME']}/blender/{series}/scripts/addons/bmcp_addon" in healthy.stdout
    assert f"ok   prompt-service endpoint tcp://127.0.0.1:{first + 4} is free" in healthy.stdout
    assert "ok   libzmq " in healthy.stdout and f"ok   Blender: {series}" in healthy.stdout


def test_service_install_follows_home_without_xdg_config_home(user):
    """Only HOME set, as at a plain login: the unit and the data folder go under that HOME."""
    root, env = user
    del env["XDG_CONFIG_HOME"], env["BMCP_DATA"]
    home = Path(env["HOME"])
    written = bmcp("service", "install", "--no-enable", env=env, timeout=60)
    assert written.returncode == 0, written.stdout + written.stderr
    unit = home / ".config" / "systemd" / "user" / "bmcp.service"
    assert f"wrote {unit}" in written.stdout and unit.exists()
    assert f'Environment="BMCP_DATA={home / ".local" / "state" / "bmcp"}"' in unit.read_text()
    assert bmcp("service", "uninstall", "--no-enable", env=env, timeout=60).returncode == 0
    assert not unit.exists()
