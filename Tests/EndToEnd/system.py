"""Starts the real system for end-to-end tests: a headless Blender running the addon and the
Swift services, wired over ipc:// endpoints in a temporary folder so runs never collide."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def binaries() -> Path:
    folder = Path(os.environ.get("BMCP_BIN_DIR", REPO / ".build" / "debug"))
    missing = [name for name in SERVICES + ["mcp-front"] if not (folder / name).exists()]
    if missing:
        raise RuntimeError(f"missing executables {missing} in {folder}; run `swift build` first (or set BMCP_BIN_DIR)")
    return folder


def blender_executable() -> str:
    path = os.environ.get("BLENDER") or shutil.which("blender")
    if not path:
        raise RuntimeError("Blender is not installed (Debian: apt-get install blender); the end-to-end tests need a real one")
    return path


# A Python with PyPI's `bpy` module (Blender as a Python module, scripts/bpy-wheel.sh): the
# System's headless Blenders run as `python Addon/serve.py ARGS` on that Blender version instead
# of `blender -b --factory-startup`. XDG_CONFIG_HOME (System.env) already points Blender's user
# folder at an empty one, which is what --factory-startup gives the binary. Only the Blenders a
# System starts headless switch: a GUI Blender, `bmcp up` and the tests that run Blender
# themselves still use the binary.
WHEEL_VARIABLE = "BMCP_TEST_BPY_PYTHON"


def headless_blender_argv(*script_args: str) -> list[str]:
    """The command line of a headless Blender serving the addon with `script_args`."""
    serve = str(REPO / "Addon" / "serve.py")
    python = os.environ.get(WHEEL_VARIABLE)
    if python:
        return [python, serve, *script_args]
    return [blender_executable(), "-b", "--factory-startup", "--python", serve, "--", *script_args]


SERVICES = ["session-broker", "log-writer", "prompt-service", "blender-bridge"]

# The addon token of every Blender a System started, by addon port, for clients that talk to
# the addon directly and must answer its challenge as a bridge does.
ADDON_TOKENS: dict[int, str] = {}


def wait_for(predicate, timeout: float, what: str, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"gave up waiting for {what} after {timeout} s")


class Process:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], logs: Path, group: bool = False):
        self.name = name
        self.log = logs / f"{name}.log"
        self._log_handle = open(self.log, "ab")
        # group: signals go to the whole process group (xvfb-run's Xvfb and Blender stop together).
        self.group = group
        self.popen = subprocess.Popen(argv, env=env, stdout=self._log_handle, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=group)

    def signal(self, number: int):
        if self.group:
            os.killpg(self.popen.pid, number)
        else:
            self.popen.send_signal(number)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_line(self, needle: str, timeout: float = 60) -> str:
        def found():
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode} before printing {needle!r}:\n{self.text()}")
            return next((line for line in self.text().splitlines() if needle in line), None)
        return wait_for(found, timeout, f"{self.name} to print {needle!r}")

    def kill(self):
        if self.popen.poll() is None:
            self.signal(signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 10) -> int:
        if self.popen.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait()
                raise RuntimeError(f"{self.name} ignored SIGTERM for {timeout} s:\n{self.text()}")
        self._log_handle.close()
        return self.popen.returncode


class System:
    """Blender + session-broker + log-writer + prompt-service + blender-bridge."""

    def __init__(self, root: Path):
        self.root = root
        self.bin = binaries()
        self.logs = root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.data = root / "data"
        sock = f"ipc://{root}/"
        self.env = {
            **os.environ,
            "BMCP_BROKER_CLIENTS": sock + "clients.sock",
            "BMCP_BROKER_WORKERS": sock + "workers.sock",
            "BMCP_EVENTS_IN": sock + "events-in.sock",
            "BMCP_EVENTS_OUT": sock + "events-out.sock",
            "BMCP_PROMPTS": sock + "prompts.sock",
            "BMCP_LOGS": sock + "logs.sock",
            "BMCP_DATA": str(self.data),
            # Short, so the suites see a dead peer fast; a suite whose Blenders are busy for
            # seconds on a loaded machine may ask for more (BMCP_TEST_HEARTBEAT_MS).
            "BMCP_HEARTBEAT_MS": os.environ.get("BMCP_TEST_HEARTBEAT_MS", "200"),
            # Secrets as `bmcp up` wires them: generated, through the environment only.
            "BMCP_ADDON_TOKEN": secrets.token_urlsafe(32),
            "BMCP_TOKEN": secrets.token_urlsafe(32),
            # Nothing of this machine's user leaks in (the GUI addon's token file, keys, run folder).
            "XDG_CONFIG_HOME": str(root / "config"),
            "BMCP_RUN": str(root / "run"),
            "BMCP_KEYS": str(root / "keys"),
        }
        self.env["BMCP_CHECKPOINT_DEBOUNCE"] = "0.2"
        self.processes: dict[str, Process] = {}
        self.bridges = 0
        self.blenders: list[int] = []
        self.broker_starts = 0

    def start(self, blenders: int = 1, bridges_per_blender: int = 1):
        for _ in range(blenders):
            self.start_blender()
        self.start_broker()
        ready = {"log-writer": "log-writer writing to", "prompt-service": "prompt-service answering on"}
        for name in ("log-writer", "prompt-service"):
            self.processes[name] = Process(name, [str(self.bin / name)], self.env, self.logs)
        # Up means serving: a SIGTERM before a service's handlers are in place would kill it outright.
        for name, line in ready.items():
            self.processes[name].wait_for_line(line, timeout=30)
        for port in self.blenders:
            for _ in range(bridges_per_blender):
                self.start_bridge(port)
        return self

    def start_blender(self, gui: bool = False) -> int:
        """A headless Blender, or with gui=True one with its UI under Xvfb (the addon enabled
        as a user would, so requests run through bpy.app.timers)."""
        index = len(self.blenders)
        name = "blender" if index == 0 else f"blender-{index}"
        if gui:
            if os.environ.get(WHEEL_VARIABLE):
                raise RuntimeError(f"{WHEEL_VARIABLE} is set, and Blender as a Python module has no GUI: "
                                   "a test that starts a GUI Blender cannot run on it")
            argv = ["xvfb-run", "-a", blender_executable(), "--factory-startup", "--python",
                    str(REPO / "Addon" / "tests" / "gui_start.py")]
            env = {**self.env, "BMCP_ADDON_HOST": "127.0.0.1", "BMCP_ADDON_PORT": "0"}
        else:
            argv = headless_blender_argv("--host", "127.0.0.1", "--port", "0")
            env = self.env
        blender = Process(name, argv, env, self.logs, group=gui)
        self.processes[name] = blender
        ready = blender.wait_for_line("BMCP_ADDON_READY")
        port = int(ready.split()[1].rsplit(":", 1)[1])
        self.blenders.append(port)
        ADDON_TOKENS[port] = self.env["BMCP_ADDON_TOKEN"]
        if index == 0:
            self.addon_port = port
        return port

    def start_broker(self, **env) -> Process:
        self.broker_starts += 1
        broker = Process(f"session-broker-{self.broker_starts}", [str(self.bin / "session-broker")],
                         {**self.env, **env}, self.logs)
        self.processes["session-broker"] = broker
        broker.wait_for_line("session registry:", timeout=30)
        return broker

    def start_bridge(self, addon_port: int | None = None, addon_ports: list[int] | None = None) -> Process:
        """A bridge holding the Blender at `addon_port` (default the first), or every one in `addon_ports`."""
        self.bridges += 1
        name = f"bridge-{self.bridges}"
        addons = ([flag for port in addon_ports for flag in ("--addon", f"127.0.0.1:{port}")]
                  if addon_ports else ["--addon-port", str(addon_port or self.addon_port)])
        bridge = Process(f"blender-bridge-{self.bridges}", [str(self.bin / "blender-bridge"), "--name", name, *addons],
                         self.env, self.logs)
        self.processes["blender-bridge" if self.bridges == 1 else name] = bridge
        # Ready from the broker's side: it has taken this bridge's READY.
        self.processes["session-broker"].wait_for_line(f"bridge {name} joined", timeout=30)
        return bridge

    def mcp_front_env(self) -> dict[str, str]:
        return dict(self.env)

    def stop(self) -> dict[str, int]:
        codes = {}
        for name in reversed(list(self.processes)):
            codes[name] = self.processes[name].stop()
        return codes

    def broker_log(self) -> str:
        return self.processes["session-broker"].text()


class HTTPFront:
    """`mcp-front --http 127.0.0.1:0` beside a running System; `url` is where it listens,
    `auth` the header its token goes in."""

    def __init__(self, system: System, *args: str, name: str = "mcp-front-http", env: dict[str, str] | None = None):
        environment = {**system.env, **(env or {})}
        self.token = environment.get("BMCP_TOKEN", "")
        self.auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.process = Process(name, [str(system.bin / "mcp-front"), "--http", "127.0.0.1:0", *args],
                               environment, system.logs)
        system.processes[name] = self.process
        self.url = self.process.wait_for_line("BMCP_HTTP_READY", timeout=30).split()[-1]

    def stop(self) -> int:
        return self.process.stop()


def dashboard_ticket(token: str, lifetime: int = 600) -> str:
    """A one-time sign-in ticket, as `bmcp dashboard` mints it (DashboardTicket.swift):
    `<expiry>.<nonce>.<HMAC-SHA256(token, "bmcp-dashboard-ticket\n" expiry "\n" nonce)>`."""
    expiry, nonce = str(int(time.time()) + lifetime), secrets.token_hex(16)
    proof = hmac.new(token.encode(), f"bmcp-dashboard-ticket\n{expiry}\n{nonce}".encode(), hashlib.sha256).hexdigest()
    return f"{expiry}.{nonce}.{proof}"
