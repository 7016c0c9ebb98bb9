import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from system import HTTPFront, System  # noqa: E402


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    # Short root: ipc:// socket paths must stay under the 107-byte sun_path limit.
    import tempfile
    root = Path(tempfile.mkdtemp(prefix="bmcp-e2e-", dir="/tmp"))
    running = System(root).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def front(system):
    """`mcp-front --http` on a free loopback port beside the module's system."""
    running = HTTPFront(system)
    yield running
    assert running.stop() == 0, running.process.text()
