"""GUI Blender, mutating commands, side by side with the most used peer (issue 14.5).

One GUI Blender under Xvfb holds both addons: ours (served to the bus: official Python MCP
client → mcp-front over stdio → broker → bridge → addon, in the user's own scene, the home
session) and mcp-for-blender's bundled addon (its own MCP server over stdio, the same
official client). Each adds one cube per `execute_blender_code` call into the same growing
scene, in alternating rounds so both see the same scene sizes and the same redraw cost.

The peer comes from PyPI (`mcp-for-blender`): BMCP_PEER_MCP names its console script, else
`.venv-peer/bin/mcp-for-blender` in the checkout, else it is installed there with pip (full
runs only; --smoke without it measures ours alone and says so). Its telemetry and update
check are turned off through its own variables, and it is pointed at 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

import anyio

from clients import ADDON_TOKENS, System, mcp_client
from report import REPO, Budget, Section, percentiles

sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))
from resident import free_ports  # noqa: E402
from system import Process, blender_executable, wait_for  # noqa: E402

CUBE = "import bpy\nbpy.ops.mesh.primitive_cube_add(location=({x}, {y}, 0), size=0.5)\nprint(len(bpy.data.objects))"
PEER_VENV = REPO / ".venv-peer"
PEER_ENV = {"DISABLE_TELEMETRY": "1", "BLENDER_MCP_DISABLE_TELEMETRY": "1", "MCP_DISABLE_TELEMETRY": "1",
            "BLENDERMCP_NO_UPDATE_CHECK": "1"}


def peer_command(install: bool) -> Path | None:
    named = os.environ.get("BMCP_PEER_MCP")
    if named:
        return Path(named)
    script = PEER_VENV / "bin" / "mcp-for-blender"
    if not script.exists() and install:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(PEER_VENV / "bin" / "pip"), "install", "-q", "mcp-for-blender"], check=True, timeout=600)
    return script if script.exists() else None


def peer_addon(command: Path) -> str:
    python = command.parent / "python"
    # Found, not imported: the addon module imports bpy.
    where = "import importlib.util, os; print(os.path.dirname(importlib.util.find_spec('blender_mcp').origin))"
    package = subprocess.run([str(python), "-c", where], capture_output=True, text=True, check=True).stdout.strip()
    return str(Path(package) / "bundled" / "addon.py")


def start_gui_system(peer: Path | None) -> tuple[System, int | None]:
    system = System(Path(tempfile.mkdtemp(prefix="bmcp-gui-bench-", dir="/tmp")))
    peer_port = free_ports(1) if peer else None
    env = {**system.env, "BMCP_ADDON_HOST": "127.0.0.1", "BMCP_ADDON_PORT": "0", **PEER_ENV}
    if peer:
        env |= {"BMCP_PEER_ADDON": peer_addon(peer), "BMCP_PEER_PORT": str(peer_port)}
    argv = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", blender_executable(), "--factory-startup",
            "--python", str(Path(__file__).with_name("gui_side_by_side.py"))]
    try:
        blender = Process("blender", argv, env, system.logs, group=True)
        system.processes["blender"] = blender
        port = int(blender.wait_for_line("BMCP_ADDON_READY").split()[1].rsplit(":", 1)[1])
        if peer:
            blender.wait_for_line("PEER_READY")
        system.blenders.append(port)
        system.addon_port = port
        ADDON_TOKENS[port] = system.env["BMCP_ADDON_TOKEN"]
        system.start_broker()
        for name in ("log-writer", "prompt-service"):
            system.processes[name] = Process(name, [str(system.bin / name)], system.env, system.logs)
        system.start_bridge(addon_ports=[port])
    except BaseException:
        system.stop()
        raise
    return system, peer_port


@asynccontextmanager
async def peer_client(command: Path, port: int):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {**os.environ, **PEER_ENV, "BLENDER_HOST": "127.0.0.1", "BLENDER_PORT": str(port)}
    async with stdio_client(StdioServerParameters(command=str(command), args=[], env=env)) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            yield session


async def add_cube(client, index: int) -> float:
    started = anyio.current_time()
    result = await client.call_tool("execute_blender_code", {"code": CUBE.format(x=index % 20, y=index // 20)})
    elapsed = (anyio.current_time() - started) * 1000
    text = "".join(getattr(part, "text", "") for part in result.content)
    if result.is_error or "rror" in text.split("\n")[0]:
        raise RuntimeError(f"execute_blender_code failed: {text[:300]}")
    return elapsed


async def side_by_side(system: System, peer: Path | None, peer_port: int | None, calls: int, warmup: int, rounds: int):
    samples: dict[str, list[float]] = {"ours": [], "peer": [], "scene": []}
    async with mcp_client(system) as ours:
        async with (peer_client(peer, peer_port) if peer else _none()) as theirs:
            index = 0
            for _ in range(warmup):
                await add_cube(ours, index)
                index += 1
                if theirs:
                    await add_cube(theirs, index)
                    index += 1
            per_round = max(1, calls // rounds)
            for _ in range(rounds):
                for name, client in (("ours", ours), ("peer", theirs)):
                    if client is None:
                        continue
                    # Untimed first call of a round: it pays for the redraw the other side's round
                    # left pending, which is a cost of alternating, not of either server.
                    await add_cube(client, index)
                    index += 1
                    for _ in range(per_round):
                        samples[name].append(await add_cube(client, index))
                        index += 1
            for _ in range(per_round):
                started = anyio.current_time()
                await ours.call_tool("get_scene_info", {})
                samples["scene"].append((anyio.current_time() - started) * 1000)
    return samples


@asynccontextmanager
async def _none():
    yield None


def run(smoke: bool) -> list[Section]:
    calls, warmup, rounds = (6, 1, 2) if smoke else (100, 5, 5)
    peer = peer_command(install=not smoke)
    section = Section(
        "GUI Blender: mutating commands beside mcp-for-blender (issue 14.5)",
        f"One GUI Blender (Xvfb, --factory-startup) with both addons; {calls} `execute_blender_code` calls each "
        f"adding a cube, official Python MCP client over stdio, after {warmup} warm-up each, in {rounds} alternating "
        "rounds into one growing scene (each round's first call untimed: it pays the redraw the other's round left). Budget: ours at most half the peer's p50, p99 within 3× p50.")
    system, peer_port = start_gui_system(peer)
    try:
        samples = anyio.run(side_by_side, system, peer, peer_port, calls, warmup, rounds)
    finally:
        system.stop()
    ours = percentiles(samples["ours"])
    if samples["peer"]:
        theirs = percentiles(samples["peer"])
        section.add("mcp-for-blender: execute_blender_code (cube add), GUI", theirs)
        section.add("ours: execute_blender_code (cube add), GUI, user's scene", ours,
                    budget=Budget("p50", theirs["p50"] / 2))
    else:
        section.add("ours: execute_blender_code (cube add), GUI, user's scene", ours)
        section.notes.append("mcp-for-blender was not found (BMCP_PEER_MCP or .venv-peer), so only ours was measured.")
    section.add("ours: p99 / p50 of the cube-add row", {"value": ours["p99"] / ours["p50"]}, unit="×", budget=Budget("value", 3.0))
    section.add("ours: get_scene_info, GUI, after the burst", percentiles(samples["scene"]))
    return [section]
