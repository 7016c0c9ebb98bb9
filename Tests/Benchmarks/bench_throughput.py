"""Throughput (issue 9.4): light commands/s through the full chain with 1, 2 and 4 headless
Blenders behind 1 and 2 bridges; and the broker alone, with an in-process worker.

A session's scene lives in one Blender at a time and a Blender holds one scene, so the load is
one MCP connection (one mcp-front, one session) per Blender, each keeping DEPTH calls in
flight; more sessions than Blenders would make every Blender swap scenes between calls."""

from __future__ import annotations

import json
import subprocess
import time

import anyio

from bench_chain import SCENE_CODE
from clients import mcp_client, start_system, tool_json
from report import Section, percentiles

DEPTH = 4
LAYOUTS = [(1, 1), (2, 1), (4, 1), (2, 2), (4, 2)]  # (Blenders, bridges)


async def drive(system, connections: int, seconds: float) -> tuple[float, list[float], set[str]]:
    latencies: list[float] = []
    instances: set[str] = set()
    ready = anyio.Event()
    ready_count = 0

    async def connection():
        nonlocal ready_count
        async with mcp_client(system) as mcp:
            # Placed on the instance with the fewest active sessions: one per Blender.
            session = tool_json(await mcp.call_tool("create_session", {"name": "throughput"}))
            instances.add(session["instance"])
            made = await mcp.call_tool("execute_blender_code", {"code": SCENE_CODE.format(count=10)})
            assert not made.is_error, made
            ready_count += 1
            if ready_count == connections:
                ready.set()
            await ready.wait()
            deadline = time.perf_counter() + seconds

            async def lane():
                while time.perf_counter() < deadline:
                    start = time.perf_counter_ns()
                    result = await mcp.call_tool("get_scene_info", {})
                    assert not result.is_error, result
                    latencies.append((time.perf_counter_ns() - start) / 1e6)

            async with anyio.create_task_group() as lanes:
                for _ in range(DEPTH):
                    lanes.start_soon(lane)

    async with anyio.create_task_group() as group:
        for _ in range(connections):
            group.start_soon(connection)
    return len(latencies) / seconds, latencies, instances


def broker_only(system_bin, smoke: bool, section: Section):
    for op, label in (("scene.info", "routed to the in-process worker"), ("broker.health", "answered by the broker itself")):
        out = subprocess.run([str(system_bin / "broker-throughput"), "--messages", "2000" if smoke else "200000", "--op", op],
                             capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            raise RuntimeError(f"broker-throughput failed: {out.stderr}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["errors"] == 0, result
        section.add(f"broker only, {op} ({label}), 64 in flight", {"value": result["per_second"]}, unit="messages/s")


def run(smoke: bool) -> list[Section]:
    seconds = 1.0 if smoke else 10.0
    layouts = LAYOUTS[:2] if smoke else LAYOUTS
    section = Section(
        "Throughput (issue 9.4)",
        f"get_scene_info (10 objects) through the official Python MCP client → mcp-front → broker → bridge → addon, "
        f"one connection and session per Blender, {DEPTH} calls in flight on each, for {seconds:g} s. Everything "
        "(Blenders, services, clients) shares the machine's cores. 1 Blender behind 2 bridges is left out: both "
        "would be instances of the same Blender, which holds one scene at a time.")
    bin_dir = None
    for blenders, bridges in layouts:
        system = start_system(blenders=blenders, bridges=bridges)
        bin_dir = system.bin
        try:
            rate, latencies, instances = anyio.run(drive, system, blenders, seconds)
            assert len(instances) == blenders, f"sessions landed on {instances}, expected {blenders} instances"
            name = f"{blenders} Blender{'s' if blenders > 1 else ''}, {bridges} bridge{'s' if bridges > 1 else ''}"
            section.add(f"{name}: throughput", {"value": rate}, unit="commands/s")
            section.add(f"{name}: latency under that load", percentiles(latencies))
        finally:
            system.stop()
    broker_only(bin_dir, smoke, section)
    return [section]
