"""A soak (issue 20): 8 MCP clients (official `mcp` 2.3.0 over Streamable HTTP, six at
2026-07-28 and two through the handshake) call random tools on random sessions of their own,
with bad input mixed in, while a random service (broker, bridge, log-writer, prompt-service)
is killed with SIGKILL and started again every few minutes. Every service's RSS and open
descriptors are sampled every 10 s; after the warm-up, each one's growth over its longest
life must stay under 10 %. A benchmark, not a timed test: it reports, it does not assert on
time. It writes a plot (PNG) beside the report.

    python Tests/Benchmarks/run.py --only soak           # 30 minutes, kill every 3 min
    python Tests/Benchmarks/bench_soak.py --seconds 120  # any length, prints the table

CI (`run.py --smoke`) runs it for 60 s with one kill and 2 s samples.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from clients import rss_kib, start_system
from report import REPO, Budget, Section
from system import HTTPFront, Process

KILLABLE = ["session-broker", "blender-bridge", "log-writer", "prompt-service"]
READY_LINE = {"session-broker": "session registry:", "log-writer": "log-writer writing to",
              "blender-bridge": "registered with session-broker", "prompt-service": ""}


@dataclass
class Soak:
    seconds: float
    sample_every: float
    kill_every: float
    warmup: float
    # A process started again mid-run warms up too (a fresh broker refills its event history):
    # its growth counts from this long after its first sample, and never before `warmup`.
    restart_warmup: float = 60
    clients: int = 8
    samples: list[dict] = field(default_factory=list)  # {t, name, pid, rss_kib, fds}
    kills: list[tuple[float, str]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=lambda: {"ok": 0, "tool_error": 0, "refused": 0, "exception": 0})
    # What the client-side failures were, by kind and tool: told apart from the tool errors.
    failures: dict[str, int] = field(default_factory=dict)

    def failed(self, what: str, error: BaseException):
        key = f"{what}: {type(error).__name__}: {str(error)[:80]}"
        self.failures[key] = self.failures.get(key, 0) + 1


def open_fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def restart(system, name: str) -> Process:
    old = system.processes[name]
    old.kill()
    env = dict(system.env)
    fresh = Process(f"{old.name}-r", list(old.popen.args), env, system.logs)
    system.processes[name] = fresh
    if READY_LINE[name]:
        fresh.wait_for_line(READY_LINE[name], timeout=60)
    return fresh


async def client_loop(index: int, front: HTTPFront, soak: Soak, deadline: float):
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client
    from mcp.shared.exceptions import MCPError

    rng = random.Random(index)
    mode = "legacy" if index < 2 else "2026-07-28"
    sessions: list[str] = []

    async def call(client, tool, arguments):
        try:
            with anyio.fail_after(60):
                result = await client.call_tool(tool, arguments)
            soak.calls["tool_error" if result.is_error else "ok"] += 1
            return result
        except MCPError:
            soak.calls["refused"] += 1  # a JSON-RPC error: the bad input (an unknown tool) on purpose
            return None
        except Exception as error:  # noqa: BLE001 - a killed service shows here; the soak goes on
            soak.calls["exception"] += 1
            soak.failed(f"{mode} {tool}", error)
            return None

    while time.monotonic() < deadline:
        try:
            async with create_mcp_http_client(headers=front.auth) as http, \
                    Client(streamable_http_client(front.url + "/mcp", http_client=http), mode=mode) as client:
                while time.monotonic() < deadline:
                    if len(sessions) < 2 or rng.random() < 0.02:
                        made = await call(client, "create_session", {"name": f"soak {index}.{len(sessions)}"})
                        if made is not None and not made.is_error:
                            text = made.content[0].text.split("\n\nNote:")[0].split("Session:")[0]
                            sessions.append(json.loads(text)["session_id"])
                        if len(sessions) > 3:
                            await call(client, "close_session", {"session_id": sessions.pop(0)})
                        continue
                    session = rng.choice(sessions)
                    pick = rng.random()
                    if pick < 0.35:
                        await call(client, "get_scene_info", {"session_id": session})
                    elif pick < 0.55:
                        await call(client, "create_object", {"session_id": session, "type": "cube",
                                                             "location": [rng.uniform(-5, 5), rng.uniform(-5, 5), 0]})
                    elif pick < 0.65:
                        await call(client, "execute_blender_code", {"session_id": session,
                                                                    "code": "import bpy\nprint(len(bpy.data.objects))"})
                    elif pick < 0.75:
                        await call(client, "get_session_log", {"session_id": session, "tail": 5})
                    elif pick < 0.82:
                        await client.list_resources()
                        soak.calls["ok"] += 1
                    elif pick < 0.9:  # bad input: wrong types, unknown names
                        await call(client, "get_object_info", {"session_id": session, "object_name": 12})
                    elif pick < 0.95:
                        await call(client, "no_such_tool", {"x": 1})
                    else:
                        await call(client, "create_object", {"session_id": session, "type": "cube", "location": "here"})
        except Exception as error:  # noqa: BLE001 - the connection itself went: open another
            soak.calls["exception"] += 1
            soak.failed(f"{mode} connection", error)
            await anyio.sleep(0.5)


async def drive(system, front: HTTPFront, soak: Soak):
    started = time.monotonic()
    deadline = started + soak.seconds
    rng = random.Random(20)

    async def sampler():
        while time.monotonic() < deadline:
            now = time.monotonic() - started
            for name, process in list(system.processes.items()):
                if process.popen.poll() is None:
                    pid = process.popen.pid
                    try:
                        soak.samples.append({"t": now, "name": name, "pid": pid, "rss_kib": rss_kib(pid),
                                             "anon_kib": anon_kib(pid), "fds": open_fds(pid)})
                    except (OSError, RuntimeError):
                        pass  # killed between the check and the read
            await anyio.sleep(soak.sample_every)

    async def killer():
        next_kill = started + soak.kill_every
        while True:
            # Never past the end: a kill interval longer than the run means no kill at all.
            await anyio.sleep(max(0.0, min(next_kill, deadline - 5) - time.monotonic()))
            if time.monotonic() >= deadline - 5:
                return
            name = rng.choice(KILLABLE)
            soak.kills.append((time.monotonic() - started, name))
            await anyio.to_thread.run_sync(restart, system, name)
            next_kill += soak.kill_every

    async with anyio.create_task_group() as group:
        group.start_soon(sampler)
        group.start_soon(killer)
        for index in range(soak.clients):
            group.start_soon(client_loop, index, front, soak, deadline)


def anon_kib(pid: int) -> int:
    """RssAnon: the process's private anonymous pages (its heap), without the shared library
    and binary pages that VmRSS also counts as they are first touched."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    return 0


def growth(soak: Soak) -> dict[str, dict]:
    """Per service: RSS and descriptors once the process has warmed up (the first sample after
    the run's warm-up, and for a process started again, `restart_warmup` after its start) and
    at the end of that process's life, for the process (pid) that lived longest after that."""
    lives: dict[tuple[str, int], list[dict]] = {}
    for sample in soak.samples:
        lives.setdefault((sample["name"], sample["pid"]), []).append(sample)
    for key, samples in list(lives.items()):
        born = samples[0]["t"]
        ready = soak.warmup if born <= soak.sample_every else max(soak.warmup, born + soak.restart_warmup)
        lives[key] = [sample for sample in samples if sample["t"] >= ready]
    best: dict[str, list[dict]] = {}
    for (name, _), samples in lives.items():
        if len(samples) >= 2 and (name not in best or samples[-1]["t"] - samples[0]["t"] > best[name][-1]["t"] - best[name][0]["t"]):
            best[name] = samples
    out = {}
    for name, samples in sorted(best.items()):
        first, last = samples[0], samples[-1]
        peak = max(s["rss_kib"] for s in samples)
        out[name] = {"rss_start": first["rss_kib"] / 1024, "rss_end": last["rss_kib"] / 1024, "rss_peak": peak / 1024,
                     "rss_growth": 100 * (last["rss_kib"] - first["rss_kib"]) / max(1, first["rss_kib"]),
                     "anon_start": first.get("anon_kib", 0) / 1024, "anon_end": last.get("anon_kib", 0) / 1024,
                     "fds_start": first["fds"], "fds_end": last["fds"],
                     "fds_growth": 100 * (last["fds"] - first["fds"]) / max(1, first["fds"]),
                     "span": last["t"] - first["t"]}
    return out


def plot(soak: Soak, path: Path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (rss, fds) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for name in sorted({s["name"] for s in soak.samples}):
        points = [s for s in soak.samples if s["name"] == name]
        rss.plot([p["t"] / 60 for p in points], [p["rss_kib"] / 1024 for p in points], ".", markersize=3, label=name)
        fds.plot([p["t"] / 60 for p in points], [p["fds"] for p in points], ".", markersize=3, label=name)
    for axis in (rss, fds):
        for at, name in soak.kills:
            axis.axvline(at / 60, color="grey", linewidth=0.6, linestyle=":")
        axis.axvline(soak.warmup / 60, color="black", linewidth=0.8)
        axis.grid(alpha=0.3)
    rss.set_ylabel("RSS (MiB)")
    rss.set_yscale("log")
    fds.set_ylabel("open descriptors")
    fds.set_xlabel("minutes (dotted: a service killed with SIGKILL and restarted; solid: end of warm-up)")
    rss.legend(fontsize=7, ncol=4)
    rss.set_title(f"soak: {soak.clients} MCP clients, {soak.seconds / 60:.0f} min")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)


def soak_run(seconds: float, sample_every: float, kill_every: float, warmup: float, png: Path,
             restart_warmup: float = 60) -> tuple[Soak, dict]:
    soak = Soak(seconds=seconds, sample_every=sample_every, kill_every=kill_every, warmup=warmup, restart_warmup=restart_warmup)
    system = start_system(blenders=2, bridges=1)
    try:
        front = HTTPFront(system, name="mcp-front")
        anyio.run(drive, system, front, soak)
    finally:
        system.stop()
    plot(soak, png)
    # Every sample, for a closer look than the plot gives (test-artifacts is not committed).
    samples = REPO / "test-artifacts" / "soak-samples.json"
    samples.parent.mkdir(parents=True, exist_ok=True)
    samples.write_text(json.dumps({"kills": soak.kills, "samples": soak.samples}))
    return soak, growth(soak)


def run(smoke: bool) -> list[Section]:
    if smoke:
        seconds, sample_every, kill_every, warmup, restart_warmup = 60, 2, 30, 20, 10
        png = REPO / "test-artifacts" / "soak.png"
    else:
        # A restarted process warms up as long as a started one: a fresh broker refills its
        # bounded event history (about 4 min at this load), as it did at the start.
        seconds, sample_every, kill_every, warmup, restart_warmup = 1800, 10, 180, 300, 300
        png = REPO / "docs" / "benchmarks" / "soak.png"
    soak, grown = soak_run(seconds, sample_every, kill_every, warmup, png, restart_warmup)
    section = Section(
        "Soak (issue 20)",
        f"{soak.clients} MCP clients (official `mcp` 2.3.0 over HTTP: 6 at 2026-07-28, 2 handshake) for {seconds / 60:.0f} min, "
        f"random tools and bad input; every {kill_every:.0f} s a random service killed (SIGKILL) and restarted "
        f"({', '.join(name for _, name in soak.kills) or 'none'}); RSS and descriptors sampled every {sample_every:.0f} s. "
        f"Growth is from the first sample after {warmup:.0f} s of warm-up (for a process started again, {soak.restart_warmup:.0f} s "
        f"after its start) to the end of the longest-lived process of each service; anonymous is RssAnon, the heap without "
        f"library pages. Calls: {soak.calls['ok']} answered, {soak.calls['tool_error']} tool errors (bad input on purpose, and "
        f"calls that met a killed service), {soak.calls['refused']} refused as JSON-RPC errors (an unknown tool, on purpose), "
        f"{soak.calls['exception']} failed in the client. Plot: "
        f"`{png.relative_to(REPO)}`.")
    for name, figures in grown.items():
        section.add(f"{name}: RSS growth ({figures['rss_start']:.1f} → {figures['rss_end']:.1f} MiB over {figures['span']:.0f} s; "
                    f"of it anonymous {figures['anon_start']:.1f} → {figures['anon_end']:.1f} MiB)",
                    {"value": figures["rss_growth"]}, unit="%", budget=Budget("value", 10))
        section.add(f"{name}: descriptor growth ({figures['fds_start']} → {figures['fds_end']})",
                    {"value": figures["fds_growth"]}, unit="%", budget=Budget("value", 10))
    if soak.calls["ok"] == 0:
        raise RuntimeError("the soak answered no call at all")
    return [section]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--sample-every", type=float, default=5)
    parser.add_argument("--kill-every", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--restart-warmup", type=float, default=20)
    parser.add_argument("--png", type=Path, default=REPO / "test-artifacts" / "soak.png")
    args = parser.parse_args()
    soak, grown = soak_run(args.seconds, args.sample_every, args.kill_every, args.warmup, args.png, args.restart_warmup)
    print(f"calls: {soak.calls}; kills: {soak.kills}; plot: {args.png}")
    for what, count in sorted(soak.failures.items(), key=lambda item: -item[1])[:15]:
        print(f"  {count:6d}  {what}")
    print("| service | RSS MiB start → end (peak) | growth | anonymous MiB start → end | fds start → end | growth |")
    print("|---|---|---|---|---|---|")
    for name, f in grown.items():
        print(f"| {name} | {f['rss_start']:.1f} → {f['rss_end']:.1f} ({f['rss_peak']:.1f}) | {f['rss_growth']:+.1f} % | "
              f"{f['anon_start']:.1f} → {f['anon_end']:.1f} | {f['fds_start']} → {f['fds_end']} | {f['fds_growth']:+.1f} % |")


if __name__ == "__main__":
    main()
