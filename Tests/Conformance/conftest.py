"""The end-to-end suite's fixtures (a running system, an HTTP mcp-front), shared, not copied."""

import importlib.util
import os
import sys
from pathlib import Path

# The product's own heartbeat (1 s, liveness 3 s) rather than the end-to-end suite's 200 ms:
# every cell keeps a Blender busy for seconds (the cancel check) while ten client processes
# and traced Blenders share two cores, and a 600 ms stall made the bridge take the broker for
# gone, reconnect, and fail the call in flight (bridge_lost) — a liveness test this suite is
# not about (test_journal and test_log_faults are).
os.environ.setdefault("BMCP_TEST_HEARTBEAT_MS", "1000")

END_TO_END = Path(__file__).parent.parent / "EndToEnd"
sys.path.insert(0, str(END_TO_END))
_spec = importlib.util.spec_from_file_location("end_to_end_conftest", END_TO_END / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
anyio_backend, system, front = _fixtures.anyio_backend, _fixtures.system, _fixtures.front
