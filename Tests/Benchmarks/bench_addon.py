"""The addon on its own (issue 8): a light command (scene.info on 10 objects) straight to the
addon's socket, with no services, headless and GUI under Xvfb; one connection, then 4
connections in parallel."""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from pathlib import Path

from clients import System, addon_call, addon_client, populate_scene
from report import Section, percentiles, timed

PARALLEL = 4


def one_connection(port: int, calls: int, warmup: int) -> tuple[list[float], float]:
    with contextlib.closing(addon_client(port)) as client:
        samples = timed(lambda: addon_call(client, "scene.info"), calls, warmup)
        return samples, calls / (sum(samples) / 1000)


def parallel_connections(port: int, calls: int, warmup: int) -> tuple[list[float], float]:
    clients = [addon_client(port) for _ in range(PARALLEL)]
    samples: list[list[float]] = [[] for _ in clients]
    barrier = threading.Barrier(PARALLEL + 1)

    def work(index: int):
        client = clients[index]
        for _ in range(warmup):
            addon_call(client, "scene.info")
        barrier.wait()
        samples[index] = timed(lambda: addon_call(client, "scene.info"), calls, 0)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    for client in clients:
        client.close()
    return [s for per in samples for s in per], PARALLEL * calls / elapsed


def run(smoke: bool) -> list[Section]:
    calls, warmup = (20, 5) if smoke else (2000, 100)
    section = Section(
        "Addon alone: scene.info on 10 objects straight to the addon (issue 8)",
        f"{calls} back-to-back calls per connection after {warmup} warm-up; no services running; "
        f"the Python client shares the machine with Blender.")
    for gui in (False, True):
        mode = "GUI (Xvfb)" if gui else "headless"
        system = System(Path(tempfile.mkdtemp(prefix="bmcp-bench-addon-", dir="/tmp")))
        try:
            port = system.start_blender(gui=gui)
            populate_scene(port, 10)
            samples, rate = one_connection(port, calls, warmup)
            section.add(f"{mode}, 1 connection: latency", percentiles(samples))
            section.add(f"{mode}, 1 connection: throughput", {"value": rate}, unit="commands/s")
            samples, rate = parallel_connections(port, calls // 2, warmup)
            section.add(f"{mode}, {PARALLEL} connections in parallel: latency", percentiles(samples))
            section.add(f"{mode}, {PARALLEL} connections in parallel: throughput", {"value": rate}, unit="commands/s")
        finally:
            system.stop()
    return [section]
