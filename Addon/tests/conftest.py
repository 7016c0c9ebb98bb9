"""Fixtures that run the addon inside a real Blender subprocess.

Tests run from plain Python, outside Blender. Each test module starts its own
Blender (module-scoped fixture) on --port 0 and learns the real port from the
BMCP_ADDON_READY line.

BMCP_TEST_BPY_PYTHON=/path/to/python runs every headless Blender as that Python importing
PyPI's `bpy` module (Blender as a Python module: `python Addon/serve.py ARGS`) instead of
`blender -b --factory-startup --python Addon/serve.py -- ARGS`, so the suite runs on a
Blender version that Debian does not ship (scripts/bpy-wheel.sh makes such a Python). The
module has no GUI: tests marked `gui` need a Blender binary and must be deselected with
-m "not gui" there; selected anyway, they fail saying so.
"""

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

ADDON_ROOT = Path(__file__).resolve().parent.parent
SERVE_SCRIPT = ADDON_ROOT / "serve.py"
GUI_SCRIPT = Path(__file__).resolve().parent / "gui_start.py"
READY_PREFIX = "BMCP_ADDON_READY "
# Safety net for Blender's start-up on a loaded machine; not a speed assertion.
START_TIMEOUT = 180.0
STOP_TIMEOUT = 60.0

# Let the pure-Python modules of the addon be imported by unit tests.
sys.path.insert(0, str(ADDON_ROOT))


def wheel_python():
    """The Python whose bpy module stands in for `blender -b` (BMCP_TEST_BPY_PYTHON), or None."""
    return os.environ.get(WHEEL_VARIABLE) or None


WHEEL_VARIABLE = "BMCP_TEST_BPY_PYTHON"


def wheel_environment(env, user_resources):
    """`env` for a bpy-module Blender: the module has no --factory-startup, and it reads and
    writes the user's Blender folder (~/.config/blender/VERSION: preferences, startup.blend,
    extensions); pointed at an empty folder it starts from the factory settings, as
    `blender --factory-startup` does, and leaves the user's own folder alone."""
    return {**env, "BLENDER_USER_RESOURCES": str(user_resources)}


def blender_executable():
    path = os.environ.get("BLENDER") or shutil.which("blender")
    if not path:
        pytest.fail(
            "Blender was not found: install it (Debian: apt-get install blender) "
            "or set BLENDER=/path/to/blender. These tests need a real Blender.",
            pytrace=False,
        )
    return path


class BlenderProcess:
    """One Blender running the addon; its output is collected for diagnostics."""

    def __init__(self, command, env):
        self.command = command
        if wheel_python() and command[0] == wheel_python():
            env = wheel_environment(env, wheel_user_resources())
        self.lines = []
        self._ready = threading.Event()
        self.ready_line = None
        # Own process group: xvfb-run's Xvfb and Blender are stopped together.
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()

    def _read_output(self):
        for line in self.process.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            if line.startswith(READY_PREFIX) and self.ready_line is None:
                self.ready_line = line
                self._ready.set()
        self._ready.set()  # exited without READY: wake the waiter so it can fail

    @property
    def output(self):
        return "\n".join(self.lines)

    def wait_ready(self):
        self._ready.wait(START_TIMEOUT)
        if self.ready_line is None:
            self.stop()
            pytest.fail(
                f"Blender never printed {READY_PREFIX.strip()} "
                f"(command: {' '.join(self.command)})\n--- output ---\n{self.output}",
                pytrace=False,
            )
        # "BMCP_ADDON_READY 127.0.0.1:41234 blender=3.4.1 mode=headless"
        fields = self.ready_line.split()
        host, _, port = fields[1].rpartition(":")
        self.address = (host.strip("[]"), int(port))
        self.info = dict(field.split("=", 1) for field in fields[2:])
        return self

    def wait_exit(self, timeout=STOP_TIMEOUT):
        try:
            return self.process.wait(timeout)
        finally:
            self._reader.join(5)

    def stop(self, sig=signal.SIGTERM):
        """Stop this Blender (and only its own process group); return its exit code."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass
            try:
                return self.wait_exit()
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        return self.wait_exit()


def headless_command(*script_args):
    python = wheel_python()
    if python:
        return [python, str(SERVE_SCRIPT), *script_args]
    return [
        blender_executable(),
        "-b",
        "--factory-startup",
        "--python",
        str(SERVE_SCRIPT),
        "--",
        *script_args,
    ]


def blender_script_command(script, *script_args):
    """A headless Blender that runs `script` with `script_args` (after "--") and exits, on the
    Blender of this run: the binary with --factory-startup, or the bpy module (wheel_python).
    An exception in the script makes the exit code 1 either way."""
    python = wheel_python()
    if python:
        return [python, str(script), "--", *script_args]
    return [blender_executable(), "-b", "--factory-startup", "--python-exit-code", "1", "--python", str(script),
            "--", *script_args]


def blender_script_env():
    """The environment for blender_script_command: this one, with the bpy module's user folder
    kept empty (wheel_environment)."""
    return wheel_environment(os.environ, wheel_user_resources()) if wheel_python() else None


def gui_command():
    if wheel_python():
        pytest.fail(
            f"{WHEEL_VARIABLE} is set: Blender as a Python module (bpy) has no GUI, so this test "
            "cannot run on it; deselect the GUI tests with -m \"not gui\"",
            pytrace=False,
        )
    xvfb = shutil.which("xvfb-run")
    if not xvfb:
        pytest.fail("xvfb-run was not found (Debian: apt-get install xvfb); the GUI test needs it", pytrace=False)
    return [xvfb, "-a", blender_executable(), "--factory-startup", "--python", str(GUI_SCRIPT)]


def clean_env(**overrides):
    """The test runner's environment minus BMCP_* settings, plus overrides."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BMCP_")}
    env.update({key: str(value) for key, value in overrides.items()})
    return env


_wheel_user_resources = []


def wheel_user_resources():
    """The empty Blender user folder of every bpy-module Blender of this run (wheel_environment),
    made at the first one and removed at exit."""
    if not _wheel_user_resources:
        folder = tempfile.mkdtemp(prefix="bmcp-bpy-user-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _wheel_user_resources.append(folder)
    return _wheel_user_resources[0]


def pytest_report_header(config):
    python = wheel_python()
    if python:
        return f"Blender: bpy module of {python} ({WHEEL_VARIABLE}); GUI tests (marker gui) cannot run"
    return None


@pytest.fixture(scope="session")
def launch_blender():
    """Factory: launch_blender(command, env) -> a ready BlenderProcess, stopped at the end."""
    started = []

    def launch(command, env=None, wait=True):
        blender = BlenderProcess(command, env if env is not None else clean_env())
        started.append(blender)
        return blender.wait_ready() if wait else blender

    yield launch
    for blender in started:
        blender.stop()


@pytest.fixture(scope="module")
def addon(launch_blender):
    """A headless Blender serving on a free port with default settings."""
    blender = launch_blender(headless_command("--host", "127.0.0.1", "--port", "0"))
    yield blender
    blender.stop()


@pytest.fixture
def factory_client(addon):
    """A framed connection to the module's `addon` after hello, its scene reset to the factory
    startup (Cube, Camera, Light) so every test starts from the same scene."""
    from wire_clients import FramedClient

    with FramedClient(addon.address) as connection:
        connection.hello()
        connection.call("code.execute", {"code": "bpy.ops.wm.read_homefile()"})
        yield connection


def error_of(answer):
    """The error body of an answer that must be an error."""
    assert answer["type"] == "error", answer
    return answer["error"]


# -- a non-loopback address of this machine ------------------------------------------

DUMMY_INTERFACE = "bmcptest0"
DUMMY_ADDRESS = "10.254.254.1"


def local_non_loopback_ipv4():
    """An IPv4 address of this machine that is not loopback, or None."""
    listing = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        address = line.split()[3].split("/")[0]  # "2: eth0    inet 192.0.2.2/24 brd ..."
        if not address.startswith("127."):
            return address
    return None


def run_ip(*arguments):
    return subprocess.run(["ip", *arguments], capture_output=True, text=True)


def make_test_address():
    """Put DUMMY_ADDRESS on a dummy interface, or on lo where the kernel has no dummy
    driver (some containers); return the command that removes it again."""
    if run_ip("link", "add", DUMMY_INTERFACE, "type", "dummy").returncode == 0:
        added = run_ip("addr", "add", f"{DUMMY_ADDRESS}/32", "dev", DUMMY_INTERFACE)
        if added.returncode == 0 and run_ip("link", "set", DUMMY_INTERFACE, "up").returncode == 0:
            return ("link", "del", DUMMY_INTERFACE)
        run_ip("link", "del", DUMMY_INTERFACE)
    added = run_ip("addr", "add", f"{DUMMY_ADDRESS}/32", "dev", "lo")
    if added.returncode != 0:
        pytest.fail(
            f"this machine has no non-loopback IPv4 address and adding {DUMMY_ADDRESS} failed "
            f"({added.stderr.strip()}): run the tests as root or give the machine an address",
            pytrace=False,
        )
    return ("addr", "del", f"{DUMMY_ADDRESS}/32", "dev", "lo")


@pytest.fixture(scope="module")
def lan_address():
    """A non-loopback address of this machine to connect from: an existing one, else one
    made for the test (needs root, as CI has) and removed afterwards. Traffic to it stays
    on this machine. ADDON_TESTS_MAKE_ADDRESS=1 makes one even when an address exists."""
    if shutil.which("ip") is None:
        pytest.fail("the 'ip' command (iproute2) is needed to find or make a non-loopback address", pytrace=False)
    address = None if os.environ.get("ADDON_TESTS_MAKE_ADDRESS") == "1" else local_non_loopback_ipv4()
    if address is not None:
        yield address
        return
    removal = make_test_address()
    try:
        yield DUMMY_ADDRESS
    finally:
        run_ip(*removal)
