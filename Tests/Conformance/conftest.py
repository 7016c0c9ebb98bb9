"""The end-to-end suite's fixtures (a running system, an HTTP mcp-front), shared, not copied."""

import importlib.util
import sys
from pathlib import Path

END_TO_END = Path(__file__).parent.parent / "EndToEnd"
sys.path.insert(0, str(END_TO_END))
_spec = importlib.util.spec_from_file_location("end_to_end_conftest", END_TO_END / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
anyio_backend, system, front = _fixtures.anyio_backend, _fixtures.system, _fixtures.front
