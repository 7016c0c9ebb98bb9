"""The session journal (issue 15): what a mutating command costs with BMCP_DURABILITY=fast
(the default: journal and checkpoints left to the OS to flush) and safe (fsynced before the
answer and before a checkpoint counts), and how long a session takes to come back after its
Blender is killed when 100 commands must be replayed from the journal."""

from __future__ import annotations

import itertools
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

from clients import System
from report import REPO, Section, percentiles, timed

sys.path.insert(0, str(REPO / "Tests" / "EndToEnd"))
from bus import BusClient  # noqa: E402

OWNER = "bench-journal"


def system_with(durability: str, debounce: str = "1") -> System:
    system = System(Path(tempfile.mkdtemp(prefix=f"bmcp-bench-journal-{durability}-", dir="/tmp")))
    system.env["BMCP_DURABILITY"] = durability
    system.env["BMCP_CHECKPOINT_DEBOUNCE"] = debounce
    return system.start(blenders=2)


def mutating_command_ms(durability: str, calls: int, warmup: int) -> list[float]:
    system = system_with(durability)
    try:
        client = BusClient(system.env["BMCP_BROKER_CLIENTS"], OWNER)
        session = client.call("session.create", params={"name": "journal bench"})["session_id"]
        # The object the loop moves, whatever the session started from.
        client.call("object.create", session, {"type": "cube", "name": "Cube"})
        names = itertools.count()
        # A small change each time (the scene stays the same size): the journal write and, in
        # safe mode, its fsync are what differ between the two runs.
        return timed(lambda: client.call("object.transform", session, {"name": "Cube", "location": [next(names) % 7, 0, 0]}),
                     calls, warmup)
    finally:
        system.stop()


def restore_with_replay(commands: int, rounds: int) -> tuple[list[float], list[float]]:
    """Kill -9 of the session's Blender after `commands` journaled commands and no checkpoint;
    the next command's answer comes after checkpoint (none: the template) + replay. Returns
    the client's time for that command and the broker's own restore time."""
    client_ms, broker_ms = [], []
    system = system_with("fast", debounce="600")  # no checkpoint: every command is replayed
    try:
        for round_number in range(rounds):
            client = BusClient(system.env["BMCP_BROKER_CLIENTS"], OWNER)
            session = client.call("session.create", params={"name": f"restore {round_number}"})["session_id"]
            for n in range(commands):
                client.call("object.create", session, {"type": "cube", "name": f"R{n:04d}", "location": [n % 10, n // 10, 0]})
            instance = client.call("session.get", params={"session_id": session})["instance"]
            port = instance.rsplit(":", 1)[1]
            blender = next(p for name, p in system.processes.items()
                           if name.startswith("blender") and not name.startswith("blender-bridge")
                           and p.popen.poll() is None and f"BMCP_ADDON_READY 127.0.0.1:{port} " in p.text())
            blender.signal(signal.SIGKILL)
            blender.popen.wait(timeout=10)
            start = time.perf_counter_ns()
            request_id = client.send("scene.info", session)
            answer = client.receive(timeout=300)
            while answer.get("id") != request_id:
                answer = client.receive(timeout=300)
            client_ms.append((time.perf_counter_ns() - start) / 1e6)
            facts = answer["meta"]["session"]
            assert answer["kind"] == "reply" and facts["replayed"] == commands, answer
            assert answer["result"]["object_count"] >= commands, answer["result"]["object_count"]
            broker_ms.append(facts["restore_ms"])
            client.close()
            system.start_bridge(system.start_blender())
    finally:
        system.stop()
    return client_ms, broker_ms


def run(smoke: bool) -> list[Section]:
    calls, warmup, commands, rounds = (20, 5, 10, 1) if smoke else (500, 50, 100, 5)
    section = Section(
        "Session journal (issue 15)",
        f"object.transform through the bus (BusClient → broker → bridge → headless Blender), {calls} calls after "
        f"{warmup} warm-up, one session, journal written before each answer. Restore: kill -9 of the session's "
        f"Blender after {commands} commands and no checkpoint, then scene.info ({rounds} rounds).")
    fast = mutating_command_ms("fast", calls, warmup)
    safe = mutating_command_ms("safe", calls, warmup)
    section.add("mutating command, BMCP_DURABILITY=fast (default)", percentiles(fast))
    section.add("mutating command, BMCP_DURABILITY=safe (journal fsynced)", percentiles(safe))
    difference = [s - f for s, f in zip(sorted(safe), sorted(fast))]
    section.add("safe − fast, per command (rank by rank)", percentiles(difference))
    client_ms, broker_ms = restore_with_replay(commands, rounds)
    section.add(f"restore with a replay of {commands} commands, as the client sees it", percentiles(client_ms))
    section.add(f"restore with a replay of {commands} commands, broker's own (restore + replay)", percentiles(broker_ms))
    return [section]


if __name__ == "__main__":
    for part in run("--smoke" in sys.argv):
        print(part.markdown())
    print(json.dumps({"ok": True}))
