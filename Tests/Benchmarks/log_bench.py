"""How fast log-writer writes, and how soon a command's line is in its command.log.

Two parts, both with the real processes:

1. The real chain: a burst of light commands (scene.info) across 20 sessions from a bus client
   through session-broker → blender-bridge → headless Blender. For each command, the lag from
   its completion (the client holding the answer; the broker publishes the command record just
   before it sends that answer) to its line being readable in command.log, seen by a tailer woken
   by inotify. Blender is the bottleneck here, so this is the lag at the rate a real Blender runs.
2. log-writer alone at full speed: synthetic command records, shaped like the broker's,
   published into the broker's event proxy (XSUB) as fast as Python can, across 20 sessions;
   the rate at which they land in command.log, and the lag at a paced rate below that.

Also the CPU log-writer spends per event (from /proc), a figure that depends less on what
else the machine is doing. Prints a Markdown section; `--out FILE` appends it to FILE.

fsync policy measured here (log-writer as built): each line is one write(2) on a file kept
open, with no fsync; state.json and design.md are written to a temporary file and renamed.

    python Tests/Benchmarks/log_bench.py [--commands 5000] [--events 50000] [--smoke] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import zmq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "EndToEnd"))
from bus import BusClient, Plan, burst  # noqa: E402
from system import REPO, Process, System, wait_for  # noqa: E402

SESSIONS = 20
IN_MODIFY, IN_CREATE = 0x2, 0x100


class Tailer(threading.Thread):
    """Reads the sessions' command.log files as they grow and notes when each line (by
    request_id) was first readable. Woken by inotify, so it costs nothing while idle."""

    def __init__(self, sessions_dir: Path, sessions: list[str]):
        super().__init__(daemon=True)
        self.seen: dict[str, float] = {}
        self.lines = 0
        self._files = {s: sessions_dir / s / "command.log" for s in sessions}
        self._handles = {}
        self._partial = {s: b"" for s in sessions}
        self._stopping = threading.Event()
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        self._fd = libc.inotify_init1(os.O_NONBLOCK)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        for session in sessions:
            folder = sessions_dir / session
            folder.mkdir(parents=True, exist_ok=True)
            if libc.inotify_add_watch(self._fd, str(folder).encode(), IN_MODIFY | IN_CREATE) < 0:
                raise OSError(ctypes.get_errno(), f"inotify_add_watch {folder}")

    def run(self):
        while not self._stopping.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.1)
            if ready:
                try:
                    while os.read(self._fd, 1 << 16):
                        pass
                except BlockingIOError:
                    pass
            self._scan(time.time())
        os.close(self._fd)

    def _scan(self, now: float):
        for session, path in self._files.items():
            handle = self._handles.get(session)
            if handle is None:
                if not path.exists():
                    continue
                handle = self._handles[session] = open(path, "rb")
            data = handle.read()
            if not data:
                continue
            data = self._partial[session] + data
            *complete, self._partial[session] = data.split(b"\n")
            for line in complete:
                request_id = json.loads(line).get("request_id")
                self.lines += 1
                if request_id is not None:
                    self.seen.setdefault(request_id, now)

    def stop(self):
        self._stopping.set()
        self.join(5)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentiles_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda p: ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000  # noqa: E731
    return {"p50": pick(0.5), "p90": pick(0.9), "p99": pick(0.99), "max": ordered[-1] * 1000,
            "mean": statistics.fmean(ordered) * 1000}


def row(name: str, stats: dict[str, float], extra: str = "") -> str:
    return (f"| {name} | {stats['p50']:.2f} | {stats['p90']:.2f} | {stats['p99']:.2f} | {stats['max']:.1f} | {extra} |")


# -- part 1: the real chain -------------------------------------------------------------------

def real_chain(system: System, commands: int, window: int = 16) -> dict:
    endpoint = system.env["BMCP_BROKER_CLIENTS"]
    client = BusClient(endpoint, f"log-bench-w{window}")
    sessions = [f"s-bench-w{window}-{n:02d}" for n in range(SESSIONS)]
    for session in sessions:
        client.call("session.create", params={"name": session, "session_id": session})
    tailer = Tailer(system.data / "sessions", sessions)
    tailer.start()
    # Warm up (first scene swap of each session), then measure.
    burst([Plan(client, sessions, per_session=2, run=2, window=4)])
    plan = Plan(client, sessions, per_session=max(1, commands // SESSIONS), run=100, window=window)
    writer = system.processes["log-writer"].popen.pid
    cpu_before = cpu_seconds(writer)
    seconds = burst([plan], timeout=600)
    ids = [i for session in sessions for i in plan.completed[session]]
    wait_for(lambda: all(i in tailer.seen for i in ids), 30, "every command's line in command.log")
    cpu = cpu_seconds(writer) - cpu_before
    tailer.stop()
    assert not plan.errors, plan.errors[:3]
    lags = [tailer.seen[i] - plan.answered_at[i] for i in ids]
    client.close()
    return {"commands": len(ids), "seconds": seconds, "lag": percentiles_ms(lags), "cpu": cpu}


def catch_up(system: System, commands: int) -> dict:
    """log-writer killed (-9) while commands run, then started again: how fast it writes what it
    missed, fetched from the broker's history with events.replay."""
    client = BusClient(system.env["BMCP_BROKER_CLIENTS"], "log-bench-replay")
    sessions = [f"s-bench-replay-{n:02d}" for n in range(SESSIONS)]
    for session in sessions:
        client.call("session.create", params={"name": session, "session_id": session})
    burst([Plan(client, sessions, per_session=2, run=2, window=4)])
    system.processes["log-writer"].kill()
    plan = Plan(client, sessions, per_session=max(1, commands // SESSIONS), run=100, window=16)
    burst([plan], timeout=600)
    ids = [i for session in sessions for i in plan.completed[session]]
    tailer = Tailer(system.data / "sessions", sessions)
    tailer.start()
    started = time.time()
    restarted = Process("log-writer-after-kill", [str(system.bin / "log-writer")], system.env, system.logs)
    system.processes["log-writer"] = restarted
    wait_for(lambda: all(i in tailer.seen for i in ids), 60, "the missed commands to be written after the restart")
    tailer.stop()
    client.close()
    return {"events": len(ids), "seconds": max(tailer.seen[i] for i in ids) - started}


# -- part 2: log-writer alone ------------------------------------------------------------------

class SyntheticBroker:
    """Publishes command records shaped like session-broker's, under a source of its own, on a
    PUB of its own that a log-writer of its own subscribes to: the broker's proxy drops events
    that claim the broker's name from anyone else (docs/SECURITY.md), so none go through it."""

    def __init__(self, endpoint: str):
        self.source = f"session-broker/bench{uuid.uuid4().hex[:4]}"
        self.socket = zmq.Context.instance().socket(zmq.PUB)
        self.socket.setsockopt(zmq.SNDHWM, 0)  # queue here rather than drop: a gap is unrecoverable
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.bind(endpoint)
        self.seq = 0
        self.sent_at: dict[str, float] = {}

    def prepare(self, session: str, request_id: str) -> list[bytes]:
        """The next event's frames, encoded ahead so the sending loop costs little."""
        self.seq += 1
        millis = int(time.time() * 1000)
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(millis // 1000)) + f".{millis % 1000:03d}Z"
        event = {"v": 2, "id": uuid.uuid4().hex, "kind": "event", "op": "command.completed", "session": session,
                 "ts": ts, "seq": self.seq, "source": self.source,
                 "params": {"request_id": request_id, "op": "scene.info", "params": {}, "duration_ms": 0.42,
                            "instance": "bridge-1/127.0.0.1:9876", "client": "log-bench", "tool": "get_scene_info"}}
        return [f"session/{session}".encode(), json.dumps(event).encode()]

    def send(self, frames: list[bytes], request_id: str):
        self.sent_at[request_id] = time.time()
        self.socket.send_multipart(frames)

    def publish(self, session: str, request_id: str):
        self.send(self.prepare(session, request_id), request_id)

    def close(self):
        self.socket.close(0)


def log_writer_alone(system: System, events: int, paced_rate: int, paced_seconds: float) -> dict:
    sessions = [f"s-bench-syn-{n:02d}" for n in range(SESSIONS)]
    data = system.root / "alone-data"
    endpoint = f"ipc://{system.root}/synthetic-events.sock"
    broker = SyntheticBroker(endpoint)
    from system import Process
    alone = Process("log-writer-alone", [str(system.bin / "log-writer")],
                    {**system.env, "BMCP_EVENTS_OUT": endpoint, "BMCP_DATA": str(data),
                     "BMCP_LOGS": f"ipc://{system.root}/logs-alone.sock"}, system.logs)
    system.processes["log-writer-alone"] = alone
    alone.wait_for_line("log-writer writing to", timeout=30)
    tailer = Tailer(data / "sessions", sessions)
    tailer.start()
    # Subscriptions reach a new publisher asynchronously: repeat seq 1 until it is written
    # (log-writer drops the repeats as duplicates).
    deadline = time.monotonic() + 10
    while "warm-0" not in tailer.seen:
        assert time.monotonic() < deadline, "log-writer never wrote the first synthetic event"
        broker.seq = 0
        broker.publish(sessions[0], "warm-0")
        time.sleep(0.05)

    writer = alone.popen.pid
    # Flat out: everything at once; log-writer's SUB queue takes what it cannot write yet.
    cpu_before = cpu_seconds(writer)
    ids = [f"flat-{n}" for n in range(events)]
    prepared = [broker.prepare(sessions[n % SESSIONS], request_id) for n, request_id in enumerate(ids)]
    start = time.time()
    for frames, request_id in zip(prepared, ids):
        broker.send(frames, request_id)
    published = time.time() - start
    wait_for(lambda: all(i in tailer.seen for i in ids[-50:]), 120, "the flat-out burst to be written", interval=0.01)
    wait_for(lambda: all(i in tailer.seen for i in ids), 30, "every flat-out event to be written")
    written = max(tailer.seen[i] for i in ids) - start
    cpu = cpu_seconds(writer) - cpu_before
    time.sleep(1)  # quiet, so the paced run starts with an empty queue

    # Paced: a steady rate below capacity, to see the lag when log-writer keeps up.
    paced = [f"paced-{n}" for n in range(int(paced_rate * paced_seconds))]
    start = time.monotonic()
    for n, request_id in enumerate(paced):
        due = start + n / paced_rate
        while (left := due - time.monotonic()) > 0:
            time.sleep(min(left, 0.002))
        broker.publish(sessions[n % SESSIONS], request_id)
    wait_for(lambda: all(i in tailer.seen for i in paced), 30, "every paced event to be written")
    tailer.stop()
    broker.close()
    gaps = data / "log-writer" / "gaps.log"
    assert not gaps.exists(), gaps.read_text()
    return {"events": events, "published_s": published, "written_s": written, "cpu": cpu,
            "flat_lag": percentiles_ms([tailer.seen[i] - broker.sent_at[i] for i in ids]),
            "paced_rate": paced_rate, "paced_lag": percentiles_ms([tailer.seen[i] - broker.sent_at[i] for i in paced])}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    build = Path(os.environ.get("BMCP_BIN_DIR", REPO / ".build" / "debug")).name
    return f"{os.cpu_count()} cores, {cpu}; {build} build; commit {commit or 'uncommitted'}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=5000, help="commands through the real chain")
    parser.add_argument("--events", type=int, default=50_000, help="synthetic events, flat out (at most 100,000: the SUB queue)")
    parser.add_argument("--paced-rate", type=int, default=2000, help="events/s for the paced lag run")
    parser.add_argument("--smoke", action="store_true", help="a little of each, to prove the benchmark still runs")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    commands, events, paced_seconds = (200, 2000, 0.5) if args.smoke else (args.commands, args.events, 5.0)
    # The tailer thread shares the GIL with the client; by default a waiting thread can be kept
    # off it for 5 ms, which would show up as lag that is not log-writer's.
    sys.setswitchinterval(0.0002)

    system = System(Path(tempfile.mkdtemp(prefix="bmcp-logbench-", dir="/tmp"))).start()
    try:
        real = real_chain(system, commands)
        single = real_chain(system, max(SESSIONS, commands // 5), window=1)
        recovered = catch_up(system, commands)
        alone = log_writer_alone(system, events, args.paced_rate, paced_seconds)
    finally:
        system.stop()

    rate = alone["events"] / alone["written_s"]
    report = "\n".join([
        "## log-writer: throughput and lag",
        "",
        f"Machine: {machine()}. `python Tests/Benchmarks/log_bench.py`. fsync policy: none — one write(2)",
        "per line on a file kept open (a line survives a crash of log-writer, not of the machine); state.json",
        "and design.md are written to a temporary file and renamed. Lag: a command's completion → its line",
        "readable in command.log (a tailer woken by inotify).",
        "",
        f"- Sustained, log-writer alone: **{rate:,.0f} events/s** ({alone['events']:,} command records across "
        f"{SESSIONS} sessions published in {alone['published_s']:.2f} s, all written after {alone['written_s']:.2f} s); "
        f"{alone['cpu'] / alone['events'] * 1e6:.0f} µs of log-writer CPU per event.",
        f"- Real chain: {real['commands']:,} scene.info commands across {SESSIONS} sessions through one Blender in "
        f"{real['seconds']:.1f} s ({real['commands'] / real['seconds']:,.0f}/s, Blender-bound); "
        f"{real['cpu'] / real['commands'] * 1e6:.0f} µs of log-writer CPU per command.",
        f"- Catching up after kill -9: {recovered['events']:,} commands run while log-writer was down were all in "
        f"command.log {recovered['seconds']:.2f} s after it was started again (process start, reading its logs back, "
        f"events.replay 1,000 at a time: {recovered['events'] / recovered['seconds']:,.0f} events/s).",
        "",
        "| lag (ms) | p50 | p90 | p99 | max | |",
        "|---|---|---|---|---|---|",
        row("real chain, 16 in flight: answer at the client → line", real["lag"], f"{real['commands'] / real['seconds']:,.0f} commands/s"),
        row("real chain, one at a time: answer at the client → line", single["lag"], f"{single['commands'] / single['seconds']:,.0f} commands/s"),
        row("log-writer alone, paced: published → line", alone["paced_lag"], f"{alone['paced_rate']:,} events/s"),
        row("log-writer alone, flat out: published → line", alone["flat_lag"], "queueing included"),
        "",
    ])
    print(report)
    if args.out and not args.smoke:
        previous = args.out.read_text() if args.out.exists() else "# Benchmarks\n\n"
        args.out.write_text(previous.rstrip("\n") + "\n\n" + report)


if __name__ == "__main__":
    main()
