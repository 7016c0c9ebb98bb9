"""Latency of one light command (get_scene_info on the factory scene) at three depths:
straight to the addon's socket, through the bus (session-broker → blender-bridge → addon,
sent by `bmcp call`), and through MCP (official Python client → mcp-front over stdio → bus).
The differences are what each layer costs. Writes a section of BENCHMARKS.md.

    python Tests/Benchmarks/chain_bench.py [--calls 500] [--smoke] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "EndToEnd"))
from system import REPO, System  # noqa: E402


def percentiles(samples_us: list[float]) -> dict[str, float]:
    ordered = sorted(samples_us)
    pick = lambda p: ordered[min(len(ordered) - 1, int(len(ordered) * p))]  # noqa: E731
    return {"p50": pick(0.5), "p90": pick(0.9), "p99": pick(0.99), "mean": statistics.fmean(ordered)}


def direct_addon(port: int, calls: int, warmup: int) -> list[float]:
    conn = socket.create_connection(("127.0.0.1", port))
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(obj):
        body = json.dumps(obj).encode()
        conn.sendall(struct.pack(">I", len(body)) + body)

    def receive():
        header = b""
        while len(header) < 4:
            header += conn.recv(4 - len(header))
        (length,) = struct.unpack(">I", header)
        body = bytearray()
        while len(body) < length:
            body += conn.recv(length - len(body))
        return json.loads(body)

    send({"type": "hello", "protocol": 2, "client": "bench"})
    assert receive()["type"] == "hello"
    samples = []
    for i in range(warmup + calls):
        start = time.perf_counter_ns()
        send({"type": "request", "id": str(i), "op": "scene.info", "params": {}})
        reply = receive()
        if i >= warmup:
            samples.append((time.perf_counter_ns() - start) / 1000)
        assert reply["type"] == "reply", reply
    conn.close()
    return samples


def through_bus(system: System, calls: int) -> dict[str, float]:
    out = subprocess.run([str(system.bin / "bmcp"), "call", "scene.info", "--repeat", str(calls)],
                         env=system.env, capture_output=True, text=True, check=True).stdout
    # "scene.info x500 via broker: p50 123.4 us  p90 ... p99 ... max ... errors 0"
    words = out.split()
    value = lambda key: float(words[words.index(key) + 1])  # noqa: E731
    assert words[words.index("errors") + 1] == "0", out
    return {"p50": value("p50"), "p90": value("p90"), "p99": value("p99")}


async def through_mcp(system: System, calls: int, warmup: int) -> list[float]:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=str(system.bin / "mcp-front"), env=system.mcp_front_env())
    samples = []
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            for i in range(warmup + calls):
                start = time.perf_counter_ns()
                result = await client.call_tool("get_scene_info", {})
                if i >= warmup:
                    samples.append((time.perf_counter_ns() - start) / 1000)
                assert not result.is_error
    return samples


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores, {cpu}; commit {commit or 'uncommitted'}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--smoke", action="store_true", help="a few calls, to prove the benchmark still runs")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    calls, warmup = (20, 5) if args.smoke else (args.calls, 50)

    system = System(Path(tempfile.mkdtemp(prefix="bmcp-bench-", dir="/tmp"))).start()
    try:
        rows = {
            "addon socket (direct)": percentiles(direct_addon(system.addon_port, calls, warmup)),
            "bus: broker → bridge → addon": through_bus(system, calls),
            "MCP: Python client → mcp-front → bus": percentiles(anyio.run(through_mcp, system, calls, warmup)),
        }
    finally:
        system.stop()

    direct, bus = rows["addon socket (direct)"], rows["bus: broker → bridge → addon"]
    lines = [
        "## get_scene_info latency by layer",
        "",
        f"{calls} calls after {warmup} warm-up, factory scene (3 objects), headless Blender 3.4; {machine()};",
        f"binaries from `{system.bin}`.",
        "",
        "| path | p50 (µs) | p90 (µs) | p99 (µs) |",
        "|---|---|---|---|",
    ]
    for name, stats in rows.items():
        lines.append(f"| {name} | {stats['p50']:.0f} | {stats['p90']:.0f} | {stats['p99']:.0f} |")
    lines += ["", f"Bus overhead (bus − direct): p50 {bus['p50'] - direct['p50']:.0f} µs, p99 {bus['p99'] - direct['p99']:.0f} µs.", ""]
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.write_text("# Benchmarks\n\nWritten by `scripts/bench.sh`; numbers from the machine named in each section.\n\n" + report)


if __name__ == "__main__":
    main()
