"""Shared pieces of the install-and-stay-resident tests: running `bmcp` in a temporary HOME
(so nothing touches the real user's Blender preferences, services or data), free ports, and
finding every process that belongs to one `bmcp up`."""

from __future__ import annotations

import os
import random
import socket
import subprocess
from pathlib import Path

from system import binaries, blender_executable


def temporary_home(root: Path) -> dict[str, str]:
    """Environment for a user whose HOME and XDG folders all live under `root`."""
    home = root / "home"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BMCP_", "XDG_", "BLENDER_USER_", "DBUS_"))}
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        # No session bus and no user manager here: systemctl --user cannot reach the real one.
        "XDG_RUNTIME_DIR": str(root / "runtime"),
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={root / 'runtime' / 'no-bus'}",
        "BLENDER": blender_executable(),
    })
    for folder in ("home", "runtime"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return env


def bmcp(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(binaries() / "bmcp"), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> int:
    """First of `count` consecutive free TCP ports, away from the system defaults (5555…,
    9876) and from the ephemeral range other tests' `--port 0` draws from."""
    for _ in range(200):
        first = random.randrange(20000, 30000 - count)
        if all(port_is_free(first + offset) for offset in range(count)):
            return first
    raise RuntimeError(f"no {count} consecutive free TCP ports found in 20000…30000")


def tree_snapshot(root: Path) -> dict[str, int]:
    """Every file under `root` with its size: what "changed nothing" is checked against."""
    return {str(path.relative_to(root)): path.stat().st_size for path in root.rglob("*") if path.is_file()}


def is_running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def processes_with_environment(needle: str) -> dict[int, str]:
    """Running processes whose environment contains `needle` (e.g. BMCP_DATA=<this run>), with
    their command lines: every process a `bmcp up` started inherits its environment."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if needle.encode() in environ and is_running(int(entry.name)):
            found[int(entry.name)] = cmdline
    return found
