"""Cold start (issue 9.7): from launching `bmcp up` (one headless Blender and every service)
to the first successful tool call of an MCP client that was started at the same moment and
retries get_scene_info every 10 ms. For comparison: a bare headless Blender to its
BMCP_ADDON_READY line, which is most of it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import anyio

from clients import System, mcp_client
from report import Section, percentiles


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def first_call(system: System, started: float, deadline_s: float = 120) -> float:
    async with mcp_client(system) as mcp:
        while time.perf_counter() - started < deadline_s:
            result = await mcp.call_tool("get_scene_info", {})
            if not result.is_error:
                return (time.perf_counter() - started) * 1000
            await anyio.sleep(0.01)
    raise RuntimeError(f"no successful get_scene_info within {deadline_s:g} s of `bmcp up`: {result.content}")


def one_cold_start() -> float:
    # System only for its environment (ipc endpoints in a fresh folder) and binaries; bmcp up starts everything.
    system = System(Path(tempfile.mkdtemp(prefix="bmcp-bench-up-", dir="/tmp")))
    log = open(system.logs / "bmcp-up.log", "wb")
    started = time.perf_counter()
    up = subprocess.Popen([str(system.bin / "bmcp"), "up", "--addon-port", str(free_port()), "--http", f"127.0.0.1:{free_port()}"],
                          env=system.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        return anyio.run(first_call, system, started)
    finally:
        os.killpg(up.pid, signal.SIGTERM)
        up.wait(timeout=30)
        log.close()


def blender_ready() -> float:
    system = System(Path(tempfile.mkdtemp(prefix="bmcp-bench-blender-", dir="/tmp")))
    started = time.perf_counter()
    try:
        system.start_blender()
        return (time.perf_counter() - started) * 1000
    finally:
        system.stop()


def run(smoke: bool) -> list[Section]:
    repeats = 1 if smoke else 5
    section = Section("Cold start (issue 9.7)", f"{repeats} cold starts each, one after another (page cache warm).")
    section.add("`bmcp up` → first successful get_scene_info over MCP", percentiles([one_cold_start() for _ in range(repeats)]))
    section.add("headless Blender → BMCP_ADDON_READY (part of the above)", percentiles([blender_ready() for _ in range(repeats)]))
    return [section]
