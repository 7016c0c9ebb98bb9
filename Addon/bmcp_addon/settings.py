"""Addon configuration from environment variables, overridable by explicit arguments."""

import os
from dataclasses import dataclass

from .framing import DEFAULT_MAX_FRAME

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9876
DEFAULT_IDLE_TIMEOUT = 300.0


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class AddonSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    max_frame: int = DEFAULT_MAX_FRAME
    # Seconds without traffic before a connection is closed; 0 means never.
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    # V1 (bare JSON, no token) from loopback peers; off unless the user opts in.
    allow_v1: bool = False

    @classmethod
    def from_env(cls, host=None, port=None, token=None, allow_v1=None, environ=None):
        env = os.environ if environ is None else environ
        host = host or env.get("BMCP_ADDON_HOST") or DEFAULT_HOST
        if port is None:
            port = _number(env, "BMCP_ADDON_PORT", DEFAULT_PORT, int)
        if not 0 <= int(port) <= 65535:
            raise SettingsError(f"port must be between 0 and 65535, got {port}")
        if token is None:
            token = env.get("BMCP_ADDON_TOKEN")
        max_frame = _number(env, "BMCP_ADDON_MAX_FRAME", DEFAULT_MAX_FRAME, int)
        if max_frame < 1:
            raise SettingsError(f"BMCP_ADDON_MAX_FRAME must be at least 1, got {max_frame}")
        idle_timeout = _number(env, "BMCP_ADDON_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT, float)
        if idle_timeout < 0:
            raise SettingsError(f"BMCP_ADDON_IDLE_TIMEOUT must be 0 or more, got {idle_timeout}")
        if allow_v1 is None:
            allow_v1 = _switch(env, "BMCP_ALLOW_V1", False)
        return cls(
            host=host,
            port=int(port),
            token=token or None,  # an empty token means "no token", not "the empty token"
            max_frame=max_frame,
            idle_timeout=idle_timeout,
            allow_v1=bool(allow_v1),
        )


def code_execution_allowed(environ=None):
    """Read at call time so an operator can flip it without restarting Blender."""
    env = os.environ if environ is None else environ
    return env.get("BMCP_ALLOW_CODE", "1").strip().lower() not in ("0", "false", "no", "off")


DEFAULT_CODE_TIMEOUT = 60.0
DEFAULT_CHECKPOINT_DEBOUNCE = 1.0
DEFAULT_CHECKPOINT_KEEP = 5


# The readers below run at call time (not once at start) so an operator can
# change them without restarting Blender; a bad value falls back to the default
# rather than failing a command that has nothing to do with it.


def code_timeout(environ=None):
    """Default time limit of code.execute in seconds (BMCP_CODE_TIMEOUT)."""
    return _positive(environ, "BMCP_CODE_TIMEOUT", DEFAULT_CODE_TIMEOUT, float)


def checkpoint_debounce(environ=None):
    """Quiet seconds after a change before a session is checkpointed."""
    return _positive(environ, "BMCP_CHECKPOINT_DEBOUNCE", DEFAULT_CHECKPOINT_DEBOUNCE, float, allow_zero=True)


def checkpoint_keep(environ=None):
    """How many checkpoint files a session keeps (at least 1)."""
    return _positive(environ, "BMCP_CHECKPOINT_KEEP", DEFAULT_CHECKPOINT_KEEP, int)


def data_dir(environ=None):
    """BMCP_DATA, or None when unset."""
    env = os.environ if environ is None else environ
    return env.get("BMCP_DATA") or None


def files_root(environ=None, cwd=None):
    """The folder file.* ops may touch: BMCP_FILES_ROOT, else $BMCP_DATA/files, else ./bmcp-files."""
    env = os.environ if environ is None else environ
    root = env.get("BMCP_FILES_ROOT")
    if not root:
        data = data_dir(env)
        root = os.path.join(data, "files") if data else os.path.join(cwd or os.getcwd(), "bmcp-files")
    return os.path.realpath(os.path.join(cwd or os.getcwd(), root))


def _positive(environ, name, default, kind, allow_zero=False):
    env = os.environ if environ is None else environ
    try:
        value = kind(env.get(name, "").strip() or default)
    except ValueError:
        return default
    if value < 0 or (value == 0 and not allow_zero):
        return default
    return value


_ON = ("1", "true", "yes", "on")
_OFF = ("0", "false", "no", "off")


def _switch(env, name, default):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _ON or value in _OFF:
        return value in _ON
    raise SettingsError(f"{name} must be one of {', '.join(_ON + _OFF)}, got {raw!r}")


def _number(env, name, default, kind):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be {'an integer' if kind is int else 'a number'}, got {raw!r}") from None
