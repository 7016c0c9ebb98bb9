"""`bmcp up --blenders 2` for real: two headless Blenders with the addon and every service
under one supervisor. `kill -9` one Blender and the session-broker: both come back (new pids,
restart counts), the bridge holds both Blenders again, an MCP call through mcp-front (the
official Python client over stdio, configured from what `bmcp up` printed) succeeds, `bmcp
status` and `bmcp doctor` agree, and `bmcp down` leaves no process behind."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

sys.path.insert(0, str(Path(__file__).parent))
from resident import bmcp, free_ports, is_running, processes_with_environment, temporary_home  # noqa: E402
from system import binaries, wait_for  # noqa: E402

BLENDERS = ["blender-0", "blender-1"]
SERVICES = ["session-broker", "log-writer", "prompt-service", "mcp-front", "blender-bridge-0"]


class Resident:
    """One `bmcp up` in its own temporary HOME, data folder and endpoints."""

    def __init__(self, root: Path):
        self.root = root
        self.env = temporary_home(root)
        sock = f"ipc://{root}/"
        self.data = root / "data"
        self.env.update({
            "BMCP_BROKER_CLIENTS": sock + "clients.sock", "BMCP_BROKER_WORKERS": sock + "workers.sock",
            "BMCP_EVENTS_IN": sock + "events-in.sock", "BMCP_EVENTS_OUT": sock + "events-out.sock",
            "BMCP_PROMPTS": sock + "prompts.sock", "BMCP_LOGS": sock + "logs.sock",
            "BMCP_DATA": str(self.data), "BMCP_HEARTBEAT_MS": "200",
        })
        self.addon_port = free_ports(2)
        self.http = f"127.0.0.1:{free_ports(1)}"
        self.output = root / "bmcp-up.out"
        self.seen_pids: set[int] = set()

    def up(self):
        with open(self.output, "wb") as out:
            self.popen = subprocess.Popen(
                [str(binaries() / "bmcp"), "up", "--blenders", "2", "--addon-port", str(self.addon_port),
                 "--http", self.http, "--log-level", "debug"],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for(lambda: self._check_alive() and "Blender MCP v2 is up." in self.text(), 180, "bmcp up to say it is up")

    def _check_alive(self):
        if self.popen.poll() is not None:
            raise RuntimeError(f"bmcp up exited with {self.popen.returncode}:\n{self.text()}")
        return True

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def pids(self) -> dict[str, int]:
        run = self.data / "run"
        pids = {path.stem: int(path.read_text().strip()) for path in run.glob("*.pid") if path.read_text().strip()}
        self.seen_pids |= set(pids.values())
        return pids

    def status_file(self) -> dict:
        return json.loads((self.data / "run" / "status.json").read_text())

    def instances(self) -> list[dict]:
        done = bmcp("call", "instance.list", "--timeout", "5", env=self.env, timeout=60)
        return json.loads(done.stdout)["instances"] if done.returncode == 0 else []

    def addresses(self) -> set[str]:
        return {instance["address"] for instance in self.instances()}

    def wanted_addresses(self) -> set[str]:
        return {f"127.0.0.1:{self.addon_port + index}" for index in range(2)}

    def client_configs(self) -> dict:
        """The mcpServers entries `bmcp up` wrote (to a terminal it prints them; to a file, as
        here, it prints only where they are, so the token stays out of logs)."""
        path = self.data / "secrets" / "mcp-clients.json"
        assert f"MCP client configuration, with the token: {path}" in self.text()
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        return json.loads(path.read_text())["mcpServers"]

    def client_config(self) -> dict:
        """The stdio entry, for Claude Desktop."""
        return self.client_configs()["blender"]

    def http_token(self) -> str:
        header = self.client_configs()["blender-http"]["headers"]["Authorization"]
        token = header.removeprefix("Bearer ")
        assert token and token not in self.text(), "the token must not be in bmcp up's output"
        return token

    def log(self, name: str) -> str:
        path = self.data / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


@pytest.fixture
def resident():
    # Short root: ipc:// socket paths must stay under the 107-byte sun_path limit.
    running = Resident(Path(tempfile.mkdtemp(prefix="bmcp-up-", dir="/tmp")))
    try:
        yield running
    finally:
        if getattr(running, "popen", None) and running.popen.poll() is None:
            running.popen.send_signal(signal.SIGTERM)
            try:
                running.popen.wait(timeout=60)
            except subprocess.TimeoutExpired:
                running.popen.kill()
        for pid in processes_with_environment(f"BMCP_DATA={running.data}"):
            os.kill(pid, signal.SIGKILL)


async def scene_info(config: dict, session: str) -> dict:
    params = StdioServerParameters(command=config["command"], args=[*config["args"], "--session", session],
                                   env={**os.environ, **config["env"]})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            result = await client.call_tool("get_scene_info", {})
            text = "".join(part.text for part in result.content if getattr(part, "type", "") == "text")
            assert not result.is_error, text
            return json.loads(text)


def test_up_restarts_what_dies_and_down_leaves_nothing(resident):
    resident.up()
    first = resident.pids()
    assert set(BLENDERS + SERVICES) <= set(first), first
    assert all(is_running(pid) for pid in first.values()), first
    wait_for(lambda: resident.addresses() == resident.wanted_addresses(), 120, "the broker to list both Blenders")

    config = resident.client_config()
    assert Path(config["command"]) == (binaries() / "mcp-front").resolve()
    for key in ("BMCP_BROKER_CLIENTS", "BMCP_PROMPTS", "BMCP_LOGS", "BMCP_EVENTS_OUT", "BMCP_DATA"):
        assert config["env"][key] == resident.env[key], key

    os.kill(first["blender-1"], signal.SIGKILL)
    os.kill(first["session-broker"], signal.SIGKILL)

    def restarted():
        now = resident.pids()
        # The pid file is written as the child starts; the log line and status.json follow it.
        logged = all(f"restarted {name} (restart #" in resident.text() for name in ("blender-1", "session-broker"))
        return logged and all(now.get(name) not in (None, first[name]) and is_running(now[name])
                              for name in ("blender-1", "session-broker")) and now
    second = wait_for(restarted, 120, "the supervisor to restart blender-1 and session-broker")
    for name in ("blender-0", "log-writer", "prompt-service", "mcp-front", "blender-bridge-0"):
        assert second[name] == first[name], f"{name} was restarted though nothing happened to it"
    counts = {child["name"]: child["restarts"] for child in resident.status_file()["children"]}
    assert counts["blender-1"] >= 1 and counts["session-broker"] >= 1 and counts["blender-0"] == 0, counts
    assert "blender-1 exited; restarting in" in resident.text() and "session-broker exited; restarting in" in resident.text()

    # The new broker knows the bridge again, and the bridge holds the new Blender on the same port.
    wait_for(lambda: resident.addresses() == resident.wanted_addresses(), 120, "both Blenders back at the new broker")
    scene = anyio.run(scene_info, config, "s-resident")
    assert {"Camera", "Sun"} <= {obj["name"] for obj in scene["objects"]}  # a new session's clean start
    # The resident mcp-front serves the same system over HTTP, through the restarted broker.
    assert f"MCP over HTTP  http://{resident.http}/mcp" in resident.text()
    authorized = urllib.request.Request(f"http://{resident.http}/api/sessions", headers={"Authorization": f"Bearer {resident.http_token()}"})
    sessions_api = json.loads(urllib.request.urlopen(authorized, timeout=60).read())
    assert "s-resident" in [session["session_id"] for session in sessions_api["sessions"]]

    status = bmcp("status", env=resident.env, timeout=60)
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"bmcp up: running (pid {resident.popen.pid})" in status.stdout
    for name in BLENDERS + SERVICES:
        assert re.search(rf"^  {re.escape(name)} +pid {second[name]} running", status.stdout, re.M), (name, status.stdout)
    assert re.search(r"^  blender-1 +pid \d+ running, restarted \d+×", status.stdout, re.M), status.stdout
    assert "Blender instances: 2" in status.stdout
    for port in (resident.addon_port, resident.addon_port + 1):
        line = re.search(rf"^  \S+: Blender (\S+) at 127\.0\.0\.1:{port} via bridge-0, (\d+) session\(s\), loaded: (\S+), last heartbeat (\d+) ms ago$",
                         status.stdout, re.M)
        assert line, status.stdout
        assert re.fullmatch(r"\d+\.\d+\.\d+", line[1])
    sessions = sum(int(n) for n in re.findall(r"via bridge-0, (\d+) session", status.stdout))
    assert sessions == 1, status.stdout  # s-resident
    assert f"MCP endpoint: http://{resident.http}/mcp (Streamable HTTP)" in status.stdout
    assert f"MCP over stdio: clients start {(binaries() / 'mcp-front').resolve()}" in status.stdout

    doctor = bmcp("doctor", env=resident.env, timeout=300)
    # Only the GUI addon check fails: this temporary HOME never ran install-addon.
    failures = [line for line in doctor.stdout.splitlines() if line.startswith("FAIL")]
    assert doctor.returncode == 1 and len(failures) == 1 and "addon installed for Blender" in failures[0], doctor.stdout
    assert "ok   session-broker answers at" in doctor.stdout
    assert "ok   2 Blender instance(s) registered at the session-broker" in doctor.stdout
    assert "in use (by bmcp up)" in doctor.stdout
    # Probing the ipc endpoints must not have taken them from the running services.
    assert resident.addresses() == resident.wanted_addresses()

    resident.pids()
    down = bmcp("down", env=resident.env, timeout=120)
    assert down.returncode == 0, down.stdout + down.stderr
    assert down.stdout.strip() == "bmcp stopped", down.stdout  # nothing needed killing
    assert resident.popen.wait(timeout=60) == 0, resident.text()
    alive = {pid for pid in resident.seen_pids if is_running(pid)}
    assert not alive, f"still running after bmcp down: {alive}"
    assert processes_with_environment(f"BMCP_DATA={resident.data}") == {}
    assert list((resident.data / "run").glob("*.pid")) == []
    # Every child stopped on SIGTERM within its grace period; none had to be killed.
    assert "stopped 7 processes, all on SIGTERM" in resident.text(), resident.text()


def test_up_refuses_bad_counts_with_a_clear_error(tmp_path):
    env = temporary_home(tmp_path)
    done = bmcp("up", "--blenders", "0", env=env, timeout=60)
    assert done.returncode != 0 and "nothing to serve" in done.stderr, done.stderr
    done = bmcp("up", "--bridges", "0", env=env, timeout=60)
    assert done.returncode != 0 and "--bridges must be 1…64, got 0" in done.stderr, done.stderr
    done = bmcp("up", "--addon-port", "99999", "--data", str(tmp_path / "data"), env=env, timeout=60)
    assert done.returncode != 0 and "must be a TCP port, got '99999'" in done.stderr, done.stderr
