"""code.execute's time limit (code_runner) under a tracer, in plain Python (no Blender needed).

A tracer is what coverage.py (scripts/test.sh measures the addon inside every Blender) and a
debugger install. Under CPython 3.11 a tracer once turned the watchdog's clean-up into a hang
(see code_runner._take_pending_exception), so each case runs in a child Python with a deadline:
a hang fails the test instead of stopping the suite."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bmcp_addon.code_runner import CodeTimeout, run_code

ADDON_ROOT = Path(__file__).resolve().parent.parent
CHILD_DEADLINE_S = 30

# Runs in the child: an endless loop and one that swallows what it can, each stopped by a short
# limit, then more traced calls (where the hang was), then a run that ends on its own.
CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from bmcp_addon.code_runner import run_code
for code in ("while True:\\n    pass", "while True:\\n    try:\\n        sum(range(9))\\n    except Exception:\\n        pass"):
    started = time.monotonic()
    outcome = run_code(code, {{}}, 0.3)
    print("timed_out", outcome.timed_out, round(time.monotonic() - started, 1), flush=True)
def call():
    return 1
print("calls", sum(call() for _ in range(100000)), flush=True)
print("after", run_code("print('fine')", {{}}, 5).stdout.strip(), flush=True)
"""

SET_TRACER = """
import sys, threading
def tracer(frame, event, arg):
    return tracer
sys.settrace(tracer)
threading.settrace(tracer)
"""


def run_child(tmp_path, source, runner=()):
    script = tmp_path / "child.py"
    script.write_text(source)
    done = subprocess.run(
        [sys.executable, *runner, str(script)], capture_output=True, text=True, timeout=CHILD_DEADLINE_S
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def assert_stopped_and_usable(lines):
    stops = [line.split() for line in lines if line.startswith("timed_out")]
    assert [stop[:2] for stop in stops] == [["timed_out", "True"]] * 2, lines
    assert all(float(stop[2]) < 5 for stop in stops), lines  # the 0.3 s limit, not the child's deadline
    assert lines[-2:] == ["calls 100000", "after fine"]


def test_the_limit_stops_code_under_a_python_tracer(tmp_path):
    assert_stopped_and_usable(run_child(tmp_path, SET_TRACER + CHILD.format(root=str(ADDON_ROOT))))


@pytest.mark.parametrize("core", ["ctrace", "pytrace"])  # the C tracer is what the suite's Blenders use
def test_the_limit_stops_code_under_coverage(tmp_path, core, monkeypatch):
    monkeypatch.setenv("COVERAGE_CORE", core)
    runner = ["-m", "coverage", "run", f"--data-file={tmp_path / '.coverage'}", "--concurrency=thread",
              f"--source={ADDON_ROOT / 'bmcp_addon'}"]
    assert_stopped_and_usable(run_child(tmp_path, CHILD.format(root=str(ADDON_ROOT)), runner))


def test_no_time_out_arrives_after_the_result():
    # The watchdog repeats its CodeTimeout every 50 ms until stopped; one that outlived run_code
    # would land in whatever the main thread does next (in the addon: the serve loop).
    outcome = run_code("while True:\n    try:\n        pass\n    except BaseException:\n        pass", {}, 0.2)
    assert outcome.timed_out
    quiet_until = time.monotonic() + 0.5
    try:
        while time.monotonic() < quiet_until:
            pass
    except CodeTimeout:
        pytest.fail("a CodeTimeout arrived after run_code had returned")


def test_code_that_ends_in_time_keeps_its_result():
    outcome = run_code("print(sum(range(10)))", {}, 5)
    assert (outcome.timed_out, outcome.error, outcome.stdout) == (False, None, "45\n")
