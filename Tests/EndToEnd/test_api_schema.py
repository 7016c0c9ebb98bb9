"""Schemathesis over every operation of Dashboard/openapi.yaml, against a live mcp-front --http
beside a real system (broker, bridge, `blender -b`, log-writer, prompt-service).

Checks: every one schemathesis has (BMCP_SCHEMA_CHECKS narrows them) — server errors, status
codes, content types, headers and response schemas as declared; schema-valid input accepted and
schema-violating input refused (negative_data_rejection, positive_data_acceptance); an
undeclared method on a declared path answered 405 with Allow (unsupported_method); missing
headers and ignored auth — over schemathesis's coverage, fuzzing and stateful phases. Settings
in schemathesis.toml beside this file (a tool call that runs and fails is the declared 422).
One check is left out: use_after_free. `DELETE /api/sessions/{id}` closes a session; a closed
session, its logs and its design document stay readable and resumable by design (nothing the
user made is lost), which that check takes for a resource that survived its deletion.

Bounds and exclusions:
- `GET /api/events` is left out: it is an endless Server-Sent Events stream, so every case would
  wait out the request timeout. test_http.py::test_api_events_stream_a_sessions_commands covers it.
- `POST /api/sessions/{id}/tools/{tool}` runs in real Blender. Fuzzed tool names are almost all
  unknown (404 before any work); the hooks (schema_hooks.py) point half the cases at a seeded
  session and one of a few read-only tools, never at `execute_blender_code` or a tool that
  writes files, so fuzzed arguments cannot run arbitrary code.
- The run is bounded by BMCP_SCHEMA_EXAMPLES cases per operation and phase (default 30) and
  BMCP_SCHEMA_SECONDS for the whole run (default 30): about a minute with the system's start.
  Raise both for a longer hunt; BMCP_SCHEMA_SEED replays a run (the seed is printed).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from system import REPO, wait_for
from test_http import CUBE, api

SPEC = REPO / "Services" / "mcp-front" / "Core" / "Dashboard" / "openapi.yaml"
CHECKS = os.environ.get("BMCP_SCHEMA_CHECKS", "all")


def seeded_session(front) -> str:
    """A session with a command log, state, design document and render for cases to read."""
    session = api(front, "POST", "/api/sessions", json={"name": "schemathesis"}).json()["session_id"]
    ran = api(front, "POST", f"/api/sessions/{session}/tools/execute_blender_code", json={"code": CUBE})
    assert ran.status_code == 200, ran.text
    # A render is slow on a busy machine (a bridge can miss heartbeats meanwhile): tried a few
    # times, then left out; /render then answers 404, which the spec declares too.
    for _ in range(3):
        if api(front, "POST", f"/api/sessions/{session}/tools/render_image", json={"width": 32, "height": 24}).status_code == 200:
            break
    for path in ("state", "log"):
        wait_for(lambda: api(front, "GET", f"/api/sessions/{session}/{path}").status_code == 200, 30,
                 f"the seeded session's {path}", interval=0.1)
    return session


def test_every_api_operation_conforms_to_the_openapi_file(front, tmp_path):
    session = seeded_session(front)
    examples = os.environ.get("BMCP_SCHEMA_EXAMPLES", "30")
    seconds = os.environ.get("BMCP_SCHEMA_SECONDS", "30")
    argv = [str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(Path(__file__).parent / "schemathesis.toml"),
            "run", str(SPEC), "--url", front.url,
            "-H", f"Authorization: Bearer {front.token}", "--checks", CHECKS, "--exclude-checks", "use_after_free", "--exclude-path", "/api/events",
            "--max-examples", examples, "--max-time", seconds, "--request-timeout", "30",
            "--no-color", "--report", "junit", "--report-dir", str(tmp_path)]
    if os.environ.get("BMCP_SCHEMA_SEED"):
        argv += ["--seed", os.environ["BMCP_SCHEMA_SEED"]]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schema_hooks", "BMCP_SCHEMA_SESSION": session,
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    started = time.monotonic()
    run = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=int(seconds) + 300)
    output = run.stdout + run.stderr
    summary = [line for line in output.splitlines() if "generated" in line or "Tested:" in line or "Seed:" in line]
    print(f"schemathesis: {time.monotonic() - started:.1f} s; " + "; ".join(line.strip() for line in summary))
    assert run.returncode == 0, output
    # It reached the real thing: every operation but the excluded stream was tested.
    tested = next(line for line in output.splitlines() if "Tested:" in line)
    assert int(tested.split(":")[1]) == 16, tested
