"""Runs every benchmark group and writes BENCHMARKS.md (scripts/bench.sh calls this on a
release build). Each group is a module with `run(smoke: bool) -> list[report.Section]`.

    python Tests/Benchmarks/run.py [--smoke] [--out BENCHMARKS.md] [--only chain,memory]

--smoke runs every group briefly so none rots (CI); exit status is non-zero if any group
crashed, and never depends on how fast anything was.

log-writer figures (issue 9.6) come from Tests/Benchmarks/log_bench.py: a script that takes
`--smoke` and prints markdown, which is copied into BENCHMARKS.md as it is.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from report import Section, document  # noqa: E402

GROUPS = {
    "chain": "bench_chain",
    "sessions": "bench_sessions",
    "addon": "bench_addon",
    "throughput": "bench_throughput",
    "memory": "bench_memory",
    "cold_start": "bench_cold_start",
    "gui": "bench_gui",
    "journal": "bench_journal",
    "eras": "bench_eras",
    "log_writer": "log_bench",
    "soak": "bench_soak",
    "bounds": "bench_bounds",
}


def run_log_bench(smoke: bool) -> list[Section]:
    out = subprocess.run([sys.executable, str(HERE / "log_bench.py"), *(["--smoke"] if smoke else [])],
                         capture_output=True, text=True, check=True, timeout=1800)
    section = Section("log-writer (issue 9.6)")
    section.notes.append(out.stdout)
    return [section]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="every benchmark briefly, to prove it still runs")
    parser.add_argument("--out", type=Path, help="write the report here (markdown)")
    parser.add_argument("--only", help="comma-separated groups: " + ", ".join(GROUPS))
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(GROUPS)
    unknown = [name for name in chosen if name not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s) {unknown}; known: {', '.join(GROUPS)}")

    sections: list[Section] = []
    failures: list[str] = []
    for name in chosen:
        print(f"== {name}", flush=True)
        started = time.monotonic()
        try:
            produced = run_log_bench(args.smoke) if name == "log_writer" else importlib.import_module(GROUPS[name]).run(args.smoke)
            sections += produced
        except Exception:
            traceback.print_exc()
            failures.append(name)
        print(f"== {name}: {time.monotonic() - started:.0f} s{' (CRASHED)' if name in failures else ''}", flush=True)

    if args.out:
        args.out.write_text(document(sections, failures, args.smoke))
        print(f"wrote {args.out}")
    if failures:
        print(f"crashed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
