"""`docker-compose up`, for real: the compose file runs under Podman (Debian's podman, driven by
Debian's docker-compose through `podman system service`), with images built here from a
debootstrapped base and the host's static release binaries (scripts/compose-images.sh).

    .venv/bin/python -m pytest Tests/Compose/test_compose_live.py -q

The stack runs with three Blender workers and two mcp-front replicas behind the gateway; an
official MCP client (2026-07-28) on the published loopback port creates sessions (spread over
the workers), one worker is killed (its session re-homes, nothing acknowledged is lost), the
stack goes down and up again (a session resumes from the volume), and `down -v` leaves no
container. All traffic stays in the compose network and on loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import anyio
import pytest

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "compose" / "docker-compose.yml"
PROJECT = "bmcp-live"
VOLUME = "blender-mcp-data"
BASE = "localhost/bookworm:base"
# As measured on this machine kind: no ulimits to copy, cgroupfs, runc (crun fails on cgroups
# here), and Debian's helper folder (an own containers.conf replaces the packaged one).
CONTAINERS_CONF = """[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
helper_binaries_dir = ["/usr/lib/podman", "/usr/libexec/podman"]
[network]
network_backend = "netavark"
"""
REPORT: dict[str, str] = {}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Engine:
    """Podman's Docker-compatible API on a socket of our own, and the compose project on it."""

    def __init__(self, folder: Path):
        # iptables: netavark, podman's network stack, runs it for every container it starts.
        for tool in ("podman", "runc", "debootstrap", "docker-compose", "nginx", "iptables"):
            assert shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists(), (
                f"{tool} is missing: apt-get install -y podman runc catatonit netavark aardvark-dns iptables debootstrap docker-compose nginx")
        self.folder = folder
        (folder / "containers.conf").write_text(CONTAINERS_CONF)
        self.socket = folder / "podman.sock"
        self.port = free_port()
        self.env = {**os.environ, "CONTAINERS_CONF": str(folder / "containers.conf"),
                    "DOCKER_HOST": f"unix://{self.socket}", "MCP_HTTP_PORT": str(self.port),
                    "COMPOSE_HTTP_TIMEOUT": "600"}
        for key in [key for key in self.env if key.startswith("BMCP_")]:
            del self.env[key]
        self.service = subprocess.Popen(["podman", "--runtime", "runc", "system", "service", "--time=0", f"unix://{self.socket}"],
                                        env=self.env, stdout=open(folder / "podman-service.log", "wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not self.socket.exists():
            assert time.monotonic() < deadline and self.service.poll() is None, (folder / "podman-service.log").read_text()
            time.sleep(0.1)
        self.stop_health = threading.Event()

    def run(self, *argv: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(list(argv), env=self.env, capture_output=True, text=True, timeout=timeout, cwd=REPO)
        if check:
            assert done.returncode == 0, f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        return done

    def compose(self, *args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("docker-compose", "-p", PROJECT, "-f", str(COMPOSE_FILE), *args, timeout=timeout, check=check)

    def containers(self, service: str | None = None, all_states: bool = False) -> list[dict]:
        argv = ["podman", "ps", "--format", "json", "--filter", f"label=com.docker.compose.project={PROJECT}"]
        if service:
            argv += ["--filter", f"label=com.docker.compose.service={service}"]
        if all_states:
            argv.append("-a")
        return json.loads(self.run(*argv).stdout or "[]")

    def health(self, container: str) -> str:
        done = self.run("podman", "inspect", "--format", "{{.State.Health.Status}}", container, check=False)
        return done.stdout.strip()

    def drive_health_checks(self):
        """Podman schedules health checks with systemd timers; without systemd (a container, CI)
        nothing runs them, so compose's `service_healthy` would wait forever. Run them here,
        as the timers would."""
        def loop():
            while not self.stop_health.wait(2):
                try:
                    for container in self.containers():
                        subprocess.run(["podman", "healthcheck", "run", container["Id"]], env=self.env,
                                       capture_output=True, timeout=30)
                except Exception:  # noqa: BLE001 - the next round tries again
                    pass
        threading.Thread(target=loop, daemon=True).start()

    def wait_healthy(self, services: dict[str, int], timeout: float = 300):
        deadline = time.monotonic() + timeout
        while True:
            states = {name: [self.health(c["Id"]) for c in self.containers(name)] for name in services}
            if all(len(states[name]) == count and all(s == "healthy" for s in states[name]) for name, count in services.items()):
                return
            assert time.monotonic() < deadline, f"not healthy after {timeout} s: {states}"
            time.sleep(2)

    def token(self) -> str:
        mount = self.run("podman", "volume", "inspect", VOLUME, "--format", "{{.Mountpoint}}").stdout.strip()
        return (Path(mount) / "secrets" / "http.token").read_text().strip()

    def close(self):
        self.stop_health.set()
        self.compose("down", "-v", "--remove-orphans", timeout=300, check=False)
        self.service.terminate()
        self.service.wait(timeout=30)


@pytest.fixture(scope="module")
def engine():
    folder = Path(tempfile.mkdtemp(prefix="bmcp-podman-", dir="/tmp"))
    running = Engine(folder)
    try:
        started = time.monotonic()
        made = running.run(str(REPO / "scripts" / "debian-base-image.sh"), "--tag", BASE)
        REPORT["base image"] = f"{made.stdout.strip()} ({time.monotonic() - started:.0f} s)"
        started = time.monotonic()
        built = running.run(str(REPO / "scripts" / "compose-images.sh"), "--engine", "podman", "--binaries", "host", "--base", BASE,
                            timeout=2400)
        lines = [line for line in built.stdout.splitlines() if line.startswith("built ")]
        REPORT["images"] = "; ".join(lines) + f" (all, with the host's static release build: {time.monotonic() - started:.0f} s)"
        running.compose("down", "-v", "--remove-orphans", timeout=300, check=False)  # a previous run's leftovers
        running.drive_health_checks()
        yield running
    finally:
        running.close()
        out = REPO / "test-artifacts"
        out.mkdir(exist_ok=True)
        (out / "compose-live.json").write_text(json.dumps(REPORT, indent=2))


async def call(client, tool: str, /, **arguments) -> str:
    result = await client.call_tool(tool, arguments)
    text = "".join(part.text for part in result.content if getattr(part, "type", "") == "text")
    assert not result.is_error, f"{tool}: {text}"
    return result.content[0].text if tool in ("create_session", "get_session") else text


def first_json(text: str) -> dict:
    return json.loads(text.split("\n\nNote:")[0].split("Session:")[0])


async def with_client(engine: Engine, body):
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {engine.token()}"}) as http:
        url = f"http://127.0.0.1:{engine.port}/mcp"
        async with Client(streamable_http_client(url, http_client=http), mode="2026-07-28") as client:
            return await body(client)


def test_up_spread_kill_rehome_down_up_resume(engine):
    started = time.monotonic()
    engine.compose("up", "-d", "--no-build", "--scale", "blender-bridge=3", "--scale", "mcp-front=2", timeout=900)
    engine.wait_healthy({"session-broker": 1, "log-writer": 1, "prompt-service": 1, "mcp-front": 2,
                         "mcp-gateway": 1, "blender-bridge": 3})
    REPORT["up, all healthy"] = f"{time.monotonic() - started:.0f} s"

    async def spread(client):
        sessions = []
        for index in range(3):
            made = first_json(await call(client, "create_session", name=f"live {index}"))
            await call(client, "execute_blender_code", session_id=made["session_id"],
                       code=f"import bpy\nbpy.ops.mesh.primitive_cube_add()\nbpy.context.object.name = 'Kept{index}'")
            sessions.append(first_json(await call(client, "get_session", session_id=made["session_id"])))
        return sessions

    sessions = anyio.run(with_client, engine, spread)
    instances = [session["instance"] for session in sessions]
    assert len(set(instances)) == 3, f"sessions were not spread over the three workers: {instances}"

    # Kill the worker of the first session: its Blender and bridge go at once.
    victim = next(c for c in engine.containers("blender-bridge") if c["Id"][:12] in instances[0] or
                  any(name in instances[0] for name in c.get("Names", [])))
    engine.run("podman", "kill", victim["Id"])

    async def rehomed(client):
        scene = await call(client, "get_scene_info", session_id=sessions[0]["session_id"])
        session = first_json(await call(client, "get_session", session_id=sessions[0]["session_id"]))
        return scene, session

    text, session = anyio.run(with_client, engine, rehomed)
    if "Kept0" not in text:
        logs = []
        for container in engine.containers("session-broker") + engine.containers("blender-bridge"):
            tail = engine.run("podman", "logs", "--tail", "60", container["Id"], check=False)
            logs.append(f"--- {container.get('Names')}:\n{tail.stdout}{tail.stderr}")
        mount = Path(engine.run("podman", "volume", "inspect", VOLUME, "--format", "{{.Mountpoint}}").stdout.strip())
        folder = mount / "sessions" / sessions[0]["session_id"]
        for name in ("events.log", "command.log"):
            logs.append(f"--- {name}:\n" + ((folder / name).read_text() if (folder / name).exists() else "(none)"))
        logs.append("--- checkpoints: " + ", ".join(sorted(p.name for p in folder.glob("checkpoints/*"))))
        import sqlite3
        with sqlite3.connect(mount / "broker" / "sessions.sqlite") as db:
            rows = db.execute("SELECT seq, op, params FROM journal WHERE session = ?", (sessions[0]["session_id"],)).fetchall()
        logs.append(f"--- journal: {rows}")
        pytest.fail(f"the re-homed session lacks Kept0: {text}\n--- session: {session}\n" + "\n".join(logs))
    assert session["instance"] != instances[0], session

    # Down (the volume stays) and up again: the session comes back from its checkpoint.
    engine.compose("down", timeout=300)
    assert not engine.containers(all_states=True), "docker-compose down left containers"
    started = time.monotonic()
    engine.compose("up", "-d", "--no-build", "--scale", "blender-bridge=3", "--scale", "mcp-front=2", timeout=900)
    engine.wait_healthy({"session-broker": 1, "mcp-gateway": 1, "blender-bridge": 3})
    REPORT["second up, healthy"] = f"{time.monotonic() - started:.0f} s"

    async def resumed(client):
        await call(client, "resume_session", session_id=sessions[1]["session_id"])
        return await call(client, "get_object_info", session_id=sessions[1]["session_id"], object_name="Kept1")

    assert "Kept1" in anyio.run(with_client, engine, resumed)

    engine.compose("down", "-v", timeout=300)
    assert not engine.containers(all_states=True), "docker-compose down -v left containers"
