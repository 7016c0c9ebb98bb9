"""Across hosts, for real: five network namespaces as five machines on one test network
(10.250.77.0/24, a Linux bridge this test makes and removes), everything over tcp:// with
CURVE. The broker, log-writer and prompt-service on one host; a Blender and its bridge on each
of two others; mcp-front (started by the official MCP client over stdio) on a fourth; an
attacker with no keys on the fifth. Each host has its own keys folder, made as README's "Run
across hosts" says. Taking one Blender host's link down re-homes its session to the other.

All traffic stays inside the namespaces this test creates."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from mcp_clients import text_of
from system import REPO, Process, binaries, blender_executable, wait_for

pytestmark = pytest.mark.anyio

NET = "10.250.77"
HOSTS = {"broker": 1, "b1": 2, "b2": 3, "front": 4, "evil": 5}
PORTS = {"BMCP_BROKER_CLIENTS": 5555, "BMCP_BROKER_WORKERS": 5556, "BMCP_EVENTS_IN": 5557, "BMCP_EVENTS_OUT": 5558,
         "BMCP_PROMPTS": 5560, "BMCP_LOGS": 5561}


def run(*argv: str):
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{' '.join(argv)} exited {done.returncode}: {done.stderr}{done.stdout}"
    return done.stdout


class TestHosts:
    __test__ = False  # a fixture's helper, not a test class

    """Namespaces `<tag>-<host>`, each with a veth into one bridge in the root namespace."""

    def __init__(self):
        self.tag = f"bm{secrets.token_hex(3)}"  # fresh per run: a leftover of a killed run never collides
        self.bridge = f"{self.tag}br"
        run("ip", "link", "add", self.bridge, "type", "bridge")
        run("ip", "link", "set", self.bridge, "up")
        for name, number in HOSTS.items():
            namespace, outside, inside = self.namespace(name), f"{self.tag}h{number}", f"{self.tag}n{number}"
            run("ip", "netns", "add", namespace)
            run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            run("ip", "link", "set", inside, "netns", namespace)
            run("ip", "link", "set", outside, "master", self.bridge, "up")
            run("ip", "-n", namespace, "addr", "add", f"{NET}.{number}/24", "dev", inside)
            run("ip", "-n", namespace, "link", "set", inside, "up")
            run("ip", "-n", namespace, "link", "set", "lo", "up")

    def namespace(self, host: str) -> str:
        return f"{self.tag}-{host}"

    def inside(self, host: str, *argv: str) -> list[str]:
        return ["ip", "netns", "exec", self.namespace(host), *argv]

    def cut(self, host: str):
        run("ip", "link", "set", f"{self.tag}h{HOSTS[host]}", "down")

    def remove(self):
        for name, number in HOSTS.items():
            subprocess.run(["ip", "link", "del", f"{self.tag}h{number}"], capture_output=True)
            subprocess.run(["ip", "netns", "del", self.namespace(name)], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)


def keys_for(root: Path, host: str, env: dict, broker_keys: Path) -> Path:
    """A host's own keys folder: the broker's server.pub, its own client pair, allow-listed on
    the broker host (README, "Run across hosts")."""
    folder = root / f"keys-{host}"
    folder.mkdir(mode=0o700)
    shutil.copy(broker_keys / "server.pub", folder / "server.pub")
    bmcp = str(binaries() / "bmcp")
    run(bmcp, "keys", "--client-only", "--keys", str(folder))
    run(bmcp, "keys", "--keys", str(broker_keys), "--authorize", (folder / "client.pub").read_text().strip(), "--name", host)
    return folder


@pytest.fixture(scope="module")
def hosts():
    if os.getuid() != 0 and not os.environ.get("CI"):
        pytest.skip("network namespaces need root")
    if shutil.which("ip") is None:
        raise RuntimeError("iproute2's `ip` is missing (Debian: apt-get install iproute2)")
    root = Path(tempfile.mkdtemp(prefix="bmcp-hosts-", dir="/tmp"))
    net = TestHosts()
    processes: list[Process] = []
    try:
        broker_keys = root / "keys-broker"
        run(str(binaries() / "bmcp"), "keys", "--keys", str(broker_keys))
        base = {key: value for key, value in os.environ.items() if not key.startswith("BMCP_")}
        base.update({key: f"tcp://{NET}.1:{port}" for key, port in PORTS.items()})
        base.update(BMCP_DATA=str(root / "data"), BMCP_HEARTBEAT_MS="200", BMCP_CHECKPOINT_DEBOUNCE="0.2",
                    BMCP_ADDON_TOKEN="addon-token-for-the-test-hosts", XDG_CONFIG_HOME=str(root / "config"),
                    BMCP_RUN=str(root / "run"))
        logs = root / "logs"
        logs.mkdir()
        server_env = {**base, "BMCP_KEYS": str(broker_keys)}
        # Servers bind the broker host's address; clients everywhere connect to it.
        for key in PORTS:
            server_env[key] = base[key]

        def start(name: str, host: str, argv: list[str], env: dict) -> Process:
            process = Process(name, net.inside(host, *argv), env, logs)
            processes.append(process)
            return process

        broker = start("session-broker", "broker", [str(binaries() / "session-broker")], server_env)
        broker.wait_for_line("session-broker listening", timeout=30)
        start("log-writer", "broker", [str(binaries() / "log-writer")], server_env).wait_for_line("log-writer writing to", 30)
        start("prompt-service", "broker", [str(binaries() / "prompt-service")], server_env)
        for host in ("b1", "b2"):
            env = {**base, "BMCP_KEYS": str(keys_for(root, host, base, broker_keys))}
            blender = start(f"blender-{host}", host, [blender_executable(), "-b", "--factory-startup", "--python",
                                                       str(REPO / "Addon" / "serve.py"), "--", "--host", "127.0.0.1", "--port", "0"], env)
            port = blender.wait_for_line("BMCP_ADDON_READY", timeout=60).split()[1].rsplit(":", 1)[1]
            start(f"bridge-{host}", host, [str(binaries() / "blender-bridge"), "--name", f"bridge-{host}", "--addon-port", port], env)
            broker.wait_for_line(f"bridge bridge-{host} joined", timeout=30)
        front_env = {**base, "BMCP_KEYS": str(keys_for(root, "front", base, broker_keys))}
        yield {"net": net, "root": root, "broker": broker, "front_env": front_env, "processes": processes}
    finally:
        for process in reversed(processes):
            try:
                process.stop(timeout=10)
            except RuntimeError:
                pass
        net.remove()


def leading_json(text: str) -> dict:
    """The JSON a tool answered with; a note for the model may follow it."""
    return json.JSONDecoder().raw_decode(text[text.index("{"):])[0]


async def call(client: ClientSession, tool: str, arguments: dict) -> str:
    result = await client.call_tool(tool, arguments)
    text = text_of(result)
    assert not result.is_error, f"{tool}: {text}"
    return text


async def test_a_session_is_re_homed_when_its_blender_host_drops_off_the_network(hosts):
    net = hosts["net"]
    params = StdioServerParameters(command="ip", args=["netns", "exec", net.namespace("front"), str(binaries() / "mcp-front")],
                                   env=hosts["front_env"])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            created = leading_json(await call(client, "create_session", {"name": "across hosts"}))
            session = created["session_id"]
            await call(client, "execute_blender_code", {
                "session_id": session,
                "code": "import bpy\nbpy.ops.mesh.primitive_cube_add(location=(1, 2, 3))\nbpy.context.object.name = 'Marker'"})
            home = leading_json(await call(client, "get_session", {"session_id": session}))["instance"]
            host = "b1" if home.startswith("bridge-b1/") else "b2"
            checkpoints = Path(hosts["root"]) / "data" / "sessions" / session / "checkpoints"
            wait_for(lambda: any(checkpoints.glob("*.blend")), 30, "the session's first checkpoint")

            net.cut(host)
            wait_for(lambda: f"blender-bridge bridge-{host} missed 3 heartbeats" in hosts["broker"].text()
                     or f"blender-bridge bridge-{host} was lost" in hosts["broker"].text(), 30, f"the broker to lose bridge-{host}")
            moved = await call(client, "get_object_info", {"session_id": session, "object_name": "Marker"})
            assert "re-homed" in moved or "rehomed" in moved, moved
            marker = leading_json(moved)
            assert marker["location"] == [1.0, 2.0, 3.0]
            now = leading_json(await call(client, "get_session", {"session_id": session}))["instance"]
            assert now.startswith("bridge-b2/" if host == "b1" else "bridge-b1/"), now


def test_an_unkeyed_peer_from_another_host_is_refused(hosts):
    net = hosts["net"]
    probe = subprocess.run(net.inside("evil", sys.executable, "-c", f"""
import json, zmq
s = zmq.Context().socket(zmq.DEALER); s.setsockopt(zmq.LINGER, 0)
s.connect("tcp://{NET}.1:5555")
s.send(json.dumps({{"v": 2, "id": "x", "kind": "request", "op": "code.execute", "params": {{"code": "print(1)"}}}}).encode())
print("ANSWERED" if s.poll(3000) else "NO ANSWER")
"""), capture_output=True, text=True, timeout=60)
    assert "NO ANSWER" in probe.stdout, probe.stdout + probe.stderr
    hosts["broker"].wait_for_line(f"refused a bus connection from {NET}.5", timeout=10)
