"""The conformance matrix: every MCP client people use, over stdio and Streamable HTTP, against
the real system (services, headless Blender), each cell its own process in its client's own
environment. The official client (`mcp` 2.x) in its three modes, fastmcp 4.x's client (auto),
and `mcp` 1.x (handshake at 2025-11-25, and asking for 2025-06-18, 2025-03-26 and 2024-11-05). The table of who passed what is written to
test-artifacts/conformance.md (docs/MCP.md keeps the latest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from checks import CHECKS  # noqa: E402

CLIENTS = {
    "mcp2-legacy": (ROOT / ".venv/bin/python", "scenario.py"),
    "mcp2-auto": (ROOT / ".venv/bin/python", "scenario.py"),
    "mcp2-2026-07-28": (ROOT / ".venv/bin/python", "scenario.py"),
    "fastmcp": (ROOT / ".venv/bin/python", "scenario.py"),
    "mcp1": (ROOT / ".venv-mcp1/bin/python", "scenario_mcp1.py"),
    "mcp1-2025-06-18": (ROOT / ".venv-mcp1/bin/python", "scenario_mcp1.py"),
    "mcp1-2025-03-26": (ROOT / ".venv-mcp1/bin/python", "scenario_mcp1.py"),
    "mcp1-2024-11-05": (ROOT / ".venv-mcp1/bin/python", "scenario_mcp1.py"),
}
EXPECTED_ERA = {"mcp2-legacy": "2025-11-25", "mcp2-auto": "2026-07-28", "mcp2-2026-07-28": "2026-07-28",
                "fastmcp": "2026-07-28", "mcp1": "2025-11-25", "mcp1-2025-06-18": "2025-06-18",
                "mcp1-2025-03-26": "2025-03-26", "mcp1-2024-11-05": "2024-11-05"}
RESULTS: dict[tuple[str, str], dict[str, str]] = {}


def run_cell(client: str, transport: str, system, front) -> dict[str, str]:
    python, script = CLIENTS[client]
    assert python.exists(), f"{python} is missing: scripts/test.sh makes it (pip install -r Tests/Conformance/requirements-mcp1.txt)"
    argv = [str(python), str(HERE / script), "--transport", transport]
    if not client.startswith("mcp1"):
        argv += ["--client", client]
    elif client != "mcp1":
        argv += ["--protocol", client.removeprefix("mcp1-")]
    argv += ["--command", str(system.bin / "mcp-front")] if transport == "stdio" else ["--url", front.url + "/mcp", "--token", front.token]
    env = dict(os.environ, BMCP_FRONT_ENV=json.dumps(system.mcp_front_env()))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, f"{client} over {transport} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return json.loads(lines[-1])


@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("client", list(CLIENTS))
def test_cell(client, transport, system, front):
    results = run_cell(client, transport, system, front)
    RESULTS[(client, transport)] = dict(results)
    assert results.pop("_protocol_version", "").startswith(EXPECTED_ERA[client]), results
    failed = {check: outcome for check, outcome in results.items() if outcome != "pass"}
    assert set(results) == set(CHECKS), results
    assert not failed, failed


def teardown_module():
    if not RESULTS:
        return
    lines = ["| client | transport | era | " + " | ".join(CHECKS) + " |", "|" + "---|" * (len(CHECKS) + 3)]
    for (client, transport), results in sorted(RESULTS.items()):
        era = results.get("_protocol_version", "?")
        cells = ["✅" if results.get(check) == "pass" else "❌" for check in CHECKS]
        lines.append(f"| {client} | {transport} | {era} | " + " | ".join(cells) + " |")
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "conformance.md").write_text("\n".join(lines) + "\n")
