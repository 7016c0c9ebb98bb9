"""Memory (issues 3, 9.5): the broker's RSS with 0, 1,000 and 10,000 idle sessions, and each
process's idle RSS. Sessions are made with `bmcp call session.create --repeat`; making one
costs no Blender work (it is placed on an instance but its scene is only loaded on its first
scene command), so 10,000 need no more Blenders than one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import anyio

from clients import bmcp_call, bmcp_repeat, mcp_client, rss_kib, start_system
from report import Budget, Section

WARMUP = 50  # bmcp call --repeat sends this many before the counted ones


def settled_rss(pid: int) -> int:
    time.sleep(1.0)
    return rss_kib(pid)


def children_named(name: str) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in lines if ":\t" in line)
        if fields.get("Name", "").strip() == name[:15] and int(fields.get("PPid", "0")) == os.getpid():
            found.append(int(status.parent.name))
    return found


def run(smoke: bool) -> list[Section]:
    steps = (100, 300) if smoke else (1_000, 10_000)
    section = Section(
        "Memory (issues 3, 9.5)",
        "VmRSS from /proc/<pid>/status, 1 s after the last change. Sessions: created through the broker's "
        "session.create op, each written to the SQLite registry and placed on the one instance; none loaded in Blender.")
    system = start_system()
    try:
        broker = system.processes["session-broker"].popen.pid
        time.sleep(1.0)
        idle = {name: rss_kib(process.popen.pid) for name, process in system.processes.items()}

        async def with_mcp_front():
            async with mcp_client(system):
                await anyio.sleep(1.0)
                return [rss_kib(pid) for pid in children_named("mcp-front")]
        front = anyio.run(with_mcp_front)

        at = {0: settled_rss(broker)}
        made = 0
        for target in steps:
            bmcp_repeat(system, "session.create", target - made - WARMUP)
            made = target
            at[target] = settled_rss(broker)
        counted = bmcp_call(system, "session.list", {"status": "active"})["count"]
        assert counted >= steps[-1], counted
        for count, kib in at.items():
            section.add(f"session-broker RSS with {count:,} idle sessions", {"value": kib / 1024}, unit="MiB")
        per_session = (at[steps[-1]] - at[0]) * 1024 / steps[-1]
        marginal = (at[steps[-1]] - at[steps[0]]) * 1024 / (steps[-1] - steps[0])
        section.add(f"broker bytes per session, 0 → {steps[-1]:,}", {"value": per_session / 1024}, unit="KiB",
                    budget=Budget("value", 16))
        section.add(f"broker bytes per session, {steps[0]:,} → {steps[-1]:,}", {"value": marginal / 1024}, unit="KiB",
                    budget=Budget("value", 16))
        section.add(f"log-writer RSS after {steps[-1]:,} session.created events",
                    {"value": rss_kib(system.processes["log-writer"].popen.pid) / 1024}, unit="MiB")
        for name, kib in idle.items():
            label = "blender-bridge" if name.startswith("blender-bridge") else name
            section.add(f"idle RSS: {label}", {"value": kib / 1024}, unit="MiB",
                        note="headless Blender 3.4 with the addon" if name == "blender" else "")
        for kib in front:
            section.add("idle RSS: mcp-front (one MCP client connected)", {"value": kib / 1024}, unit="MiB")
    finally:
        system.stop()
    return [section]
