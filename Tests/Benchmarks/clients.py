"""How the benchmarks reach the system: the addon's socket directly, the bus through
`bmcp call`, MCP through the official Python client or the lean Swift client `mcp-latency`
and mcp-front over stdio; starting a system of real processes; reading a process's memory."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from report import REPO

sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))
sys.path.insert(0, str(REPO / "Addon" / "tests"))
from system import ADDON_TOKENS, System  # noqa: E402
from wire_clients import FramedClient  # noqa: E402

__all__ = ["System", "FramedClient", "start_system", "addon_client", "bmcp_call", "bmcp_repeat", "mcp_client",
           "swift_mcp", "rss_kib", "populate_scene"]


def start_system(blenders: int = 1, bridges: int = 1, gui: bool = False) -> System:
    """Blenders (headless, or the first with its UI under Xvfb), the services, and `bridges`
    bridges sharing the Blenders between them (bridge i holds Blenders i, i+bridges, ...)."""
    system = System(Path(tempfile.mkdtemp(prefix="bmcp-bench-", dir="/tmp")))
    try:
        for _ in range(blenders):
            system.start_blender(gui=gui)
        system.start_broker()
        for name in ("log-writer", "prompt-service"):
            from system import Process
            system.processes[name] = Process(name, [str(system.bin / name)], system.env, system.logs)
        for index in range(bridges):
            system.start_bridge(addon_ports=system.blenders[index::bridges])
    except BaseException:
        system.stop()
        raise
    return system


def addon_client(port: int) -> FramedClient:
    client = FramedClient(("127.0.0.1", port))
    hello = client.hello(token=ADDON_TOKENS.get(port), client="bench")  # answers the addon's challenge, as a bridge does
    assert hello.get("type") == "hello", hello
    return client


def addon_call(client: FramedClient, op: str, params: dict | None = None) -> dict:
    client.send({"type": "request", "id": client.next_id(), "op": op, "params": params or {}})
    reply = client.receive()
    if reply.get("type") != "reply":
        raise RuntimeError(f"{op} failed: {reply}")
    return reply["result"]


def populate_scene(port: int, objects: int):
    """Leaves exactly `objects` mesh objects in the scene of the Blender at `port` (sessionless
    code.execute straight to the addon, so no session owns or checkpoints the scene)."""
    code = ("import bpy\n"
            "for o in list(bpy.data.objects): bpy.data.objects.remove(o, do_unlink=True)\n"
            "mesh = bpy.data.meshes.new('bench')\n"
            f"for i in range({objects}):\n"
            "    o = bpy.data.objects.new(f'Obj{i:05d}', mesh); o.location = (i % 100, i // 100, 0)\n"
            "    bpy.context.scene.collection.objects.link(o)\n")
    with contextlib.closing(addon_client(port)) as client:
        addon_call(client, "code.execute", {"code": code})
        count = addon_call(client, "scene.info", {"limit": 1})["object_count"]
    if count != objects:
        raise RuntimeError(f"the scene holds {count} objects, not {objects}")


def bmcp_call(system: System, op: str, params: dict | None = None, session: str | None = None) -> dict:
    argv = [str(system.bin / "bmcp"), "call", op, "--params", json.dumps(params or {})]
    if session:
        argv += ["--session", session]
    out = subprocess.run(argv, env=system.env, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"bmcp call {op} failed: {out.stderr}")
    return json.loads(out.stdout)


def bmcp_repeat(system: System, op: str, count: int, params: dict | None = None, session: str | None = None) -> dict[str, float]:
    """`bmcp call --repeat`: the bus round trip measured inside one Swift client, in ms."""
    argv = [str(system.bin / "bmcp"), "call", op, "--repeat", str(count), "--params", json.dumps(params or {})]
    if session:
        argv += ["--session", session]
    out = subprocess.run(argv, env=system.env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"bmcp call --repeat failed: {out.stderr}")
    # "scene.info x500 via broker: p50 123.4 us  p90 ... p99 ... max ... errors 0"
    words = out.stdout.split()
    value = lambda key: float(words[words.index(key) + 1])  # noqa: E731
    if value("errors") != 0:
        raise RuntimeError(f"errors in bmcp call --repeat: {out.stdout}")
    return {"p50": value("p50") / 1000, "p90": value("p90") / 1000, "p99": value("p99") / 1000,
            "max": value("max") / 1000, "n": count}


def swift_mcp(system: System, rows: str, calls: int, warmup: int, addon_port: int | None = None) -> dict[str, list[float]]:
    """Samples (ms) from `mcp-latency`, a lean MCP client in Swift on a fresh mcp-front over
    stdio: rows "ping", "create" (create_session) and "scene" (get_scene_info paired with the
    same scene.info straight to the addon at `addon_port`: keys direct, get_scene_info and
    overhead, the per-call difference)."""
    argv = [str(system.bin / "mcp-latency"), "--front", str(system.bin / "mcp-front"), "--rows", rows,
            "--calls", str(calls), "--warmup", str(warmup)]
    if addon_port is not None:
        argv += ["--addon-port", str(addon_port)]
    out = subprocess.run(argv, env=system.mcp_front_env(), capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"mcp-latency failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout)


@contextlib.asynccontextmanager
async def mcp_client(system: System, extra_args: list[str] | None = None):
    """An initialized official-MCP ClientSession on a fresh mcp-front process (stdio)."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=str(system.bin / "mcp-front"), args=extra_args or [], env=system.mcp_front_env())
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            yield session


def tool_json(result) -> dict:
    if result.is_error:
        raise RuntimeError(f"tool failed: {result.content}")
    # A scene tool may append a note on re-homing after the JSON.
    return json.loads(result.content[0].text.split("\n\nNote:")[0])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")
