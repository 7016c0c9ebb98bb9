"""Shared by every benchmark group: percentiles, figures with budgets, the machine and
commit, and the markdown the runner writes to BENCHMARKS.md.

A figure is reported against its budget (PASS/OVER); nothing here asserts on time."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def percentiles(samples: list[float]) -> dict[str, float]:
    """Nearest-rank p50/p90/p99 (and max) of `samples`, in the samples' own unit."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered))) - 1))]

    return {"p50": rank(0.50), "p90": rank(0.90), "p99": rank(0.99), "max": ordered[-1], "n": len(ordered)}


def timed(call, count: int, warmup: int) -> list[float]:
    """Runs `call` warmup + count times back to back; returns the timed ones in ms."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


async def timed_async(call, count: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        await call()
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        await call()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


@dataclass
class Budget:
    """`stat` (p50, p99, value) must be ≤ `limit`, in the row's unit."""
    stat: str
    limit: float

    def verdict(self, values: dict[str, float]) -> str:
        return "PASS" if values[self.stat] <= self.limit else "OVER"

    def __str__(self) -> str:
        return f"{self.stat} ≤ {self.limit:g}"


@dataclass
class Row:
    name: str
    values: dict[str, float]  # p50/p90/p99[/max/n], or {"value": x}
    unit: str = "ms"
    budget: Budget | None = None
    note: str = ""


@dataclass
class Section:
    title: str
    intro: str = ""
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, values: dict[str, float], unit: str = "ms", budget: Budget | None = None, note: str = "") -> Row:
        row = Row(name, values, unit, budget, note)
        self.rows.append(row)
        print(f"  {name}: {format_values(values, unit)}" + (f"  [{budget}: {budget.verdict(values)}]" if budget else ""), flush=True)
        return row

    def markdown(self) -> str:
        lines = [f"## {self.title}", ""]
        if self.intro:
            lines += [self.intro, ""]
        distributions = [row for row in self.rows if "p50" in row.values]
        scalars = [row for row in self.rows if "p50" not in row.values]
        if distributions:
            lines += ["| measured | unit | p50 | p90 | p99 | n | budget | verdict |", "|---|---|---|---|---|---|---|---|"]
            for row in distributions:
                v = row.values
                lines.append(f"| {row.name}{' — ' + row.note if row.note else ''} | {row.unit} | {number(v['p50'])} | {number(v['p90'])} "
                             f"| {number(v['p99'])} | {int(v.get('n', 0))} | {row.budget or '—'} | {row.budget.verdict(v) if row.budget else 'reported'} |")
            lines.append("")
        if scalars:
            lines += ["| measured | value | unit | budget | verdict |", "|---|---|---|---|---|"]
            for row in scalars:
                lines.append(f"| {row.name}{' — ' + row.note if row.note else ''} | {number(row.values['value'])} | {row.unit} "
                             f"| {row.budget or '—'} | {row.budget.verdict(row.values) if row.budget else 'reported'} |")
            lines.append("")
        lines += [f"{note}" for note in self.notes]
        return "\n".join(lines).rstrip() + "\n"


def number(x: float) -> str:
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}"


def format_values(values: dict[str, float], unit: str) -> str:
    if "p50" in values:
        return f"p50 {number(values['p50'])}  p90 {number(values['p90'])}  p99 {number(values['p99'])} {unit} (n={int(values['n'])})"
    return f"{number(values['value'])} {unit}"


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), platform.processor())

    def run(*argv: str) -> str:
        try:
            return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            return ""

    dirty = run("git", "status", "--porcelain", "--untracked-files=no")
    blender = run("blender", "--version").splitlines()
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": next((line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                        if line.startswith("MemTotal")), "?"),
        "kernel": platform.release(),
        "commit": (run("git", "rev-parse", "--short", "HEAD") or "unknown") + (" (+ uncommitted changes)" if dirty else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "swift": (run("swift", "--version").splitlines() or ["?"])[0],
        "blender": blender[0] if blender else "?",
    }


def document(sections: list[Section], failures: list[str], smoke: bool) -> str:
    info = machine()
    lines = [
        "# Benchmarks",
        "",
        "Written by `scripts/bench.sh` (release build; the runner is `Tests/Benchmarks/run.py`). "
        "Budgets are reported, never asserted: PASS means within budget, OVER means not.",
        "",
        "| machine | |", "|---|---|",
        f"| CPU | {info['cpu']} |", f"| cores | {info['cores']} |", f"| memory | {info['memory']} |",
        f"| kernel | {info['kernel']} |", f"| Swift | {info['swift']} |", f"| Blender | {info['blender']} |",
        f"| commit | {info['commit']} |", f"| date | {info['date']} |",
        "",
    ]
    if smoke:
        lines += ["**Smoke run: a few samples each; these numbers mean nothing.**", ""]
    if failures:
        lines += ["Benchmarks that crashed: " + ", ".join(failures), ""]
    return "\n".join(lines) + "\n" + "\n".join(section.markdown() for section in sections)
