"""Measure request round trips against a real Blender (prints numbers, asserts nothing).

    python3 Addon/tools/bench_roundtrip.py [--calls 1000] [--mode headless|gui|both]

Starts Blender itself on a free port (GUI mode under xvfb-run), runs `--calls`
back-to-back scene.info requests and pings on one connection, then `--spaced`
scene.info requests 100 ms apart, and prints p50/p90/p99 for each.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ADDON_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ADDON_ROOT / "tests"))

from wire_clients import FramedClient  # noqa: E402


def start(mode):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BMCP_")}
    if mode == "headless":
        command = ["blender", "-b", "--factory-startup", "--python", str(ADDON_ROOT / "serve.py"), "--", "--port", "0"]
    else:
        env.update(BMCP_ADDON_PORT="0")
        command = ["xvfb-run", "-a", "blender", "--factory-startup", "--python", str(ADDON_ROOT / "tests" / "gui_start.py")]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, start_new_session=True
    )
    for line in process.stdout:
        if line.startswith("BMCP_ADDON_READY "):
            host, _, port = line.split()[1].rpartition(":")
            return process, (host, int(port))
    raise SystemExit(f"{mode}: Blender exited without a READY line")


def percentiles(samples_ms):
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"p50 {statistics.median(ordered):.3f} ms  p90 {pick(0.9):.3f} ms  p99 {pick(0.99):.3f} ms"


def measure(address, calls, spaced):
    with FramedClient(address) as client:
        client.hello(client="bench")
        for _ in range(20):  # warm up
            client.call("scene.info")
        results = {}
        for label, send in (
            ("scene.info", lambda: client.call("scene.info")),
            ("ping", lambda: (client.send({"type": "ping", "id": "b"}), client.receive())),
        ):
            samples = []
            for _ in range(calls):
                started = time.perf_counter()
                send()
                samples.append((time.perf_counter() - started) * 1000.0)
            results[label] = percentiles(samples)
        # Requests spaced out like an agent's: no back-to-back linger helps here.
        samples = []
        for _ in range(spaced):
            time.sleep(0.1)
            started = time.perf_counter()
            client.call("scene.info")
            samples.append((time.perf_counter() - started) * 1000.0)
        if samples:
            results["scene.info every 100 ms"] = percentiles(samples)
        return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--spaced", type=int, default=50, help="extra scene.info calls 100 ms apart")
    parser.add_argument("--mode", choices=("headless", "gui", "both"), default="both")
    args = parser.parse_args()
    for mode in ("headless", "gui") if args.mode == "both" else (args.mode,):
        process, address = start(mode)
        try:
            for label, line in measure(address, args.calls, args.spaced).items():
                print(f"{mode:8s} {label:24s}: {line}")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(60)


if __name__ == "__main__":
    main()
