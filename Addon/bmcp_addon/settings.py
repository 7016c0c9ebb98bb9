"""Addon configuration from environment variables, overridable by explicit arguments."""

import os
import secrets
import stat
from dataclasses import dataclass

from .framing import DEFAULT_MAX_MESSAGE, MAX_MESSAGE_SETTING
from .private_files import create_private_file, make_private_dirs, read_nofollow, remove_quietly

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9876
DEFAULT_IDLE_TIMEOUT = 300.0
# A connection that has not finished its hello holds a buffer and a descriptor for nothing.
DEFAULT_HELLO_TIMEOUT = 5.0
DEFAULT_MAX_CONNECTIONS = 16
# Requests of one connection waiting for the main thread; beyond this it is not read.
DEFAULT_MAX_PENDING_JOBS = 64
# The name the message limit had before the bridge shared it.
_OLD_MAX_FRAME = "BMCP_ADDON_MAX_FRAME"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class AddonSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    # The largest message in JSON bytes, incoming and outgoing (BMCP_MAX_MESSAGE_BYTES).
    max_message: int = DEFAULT_MAX_MESSAGE
    # Seconds without traffic before a connection is closed; 0 means never.
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    hello_timeout: float = DEFAULT_HELLO_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_pending_jobs: int = DEFAULT_MAX_PENDING_JOBS
    # V1 (bare JSON, no token) from loopback peers; off unless the user opts in.
    allow_v1: bool = False

    @classmethod
    def from_env(cls, host=None, port=None, token=None, token_file=None, allow_v1=None, environ=None):
        """`token` (--token) wins over `token_file` (--token-file), which wins over
        BMCP_ADDON_TOKEN; giving both flags is an error."""
        env = os.environ if environ is None else environ
        if token is not None and token_file is not None:
            raise SettingsError("give either --token or --token-file, not both")
        if token_file is not None:
            # Followed if it is a symlink: secret mounts (Docker, Kubernetes) are symlinks.
            token = read_token_file(token_file, follow_symlinks=True)
        host = host or env.get("BMCP_ADDON_HOST") or DEFAULT_HOST
        if port is None:
            port = _number(env, "BMCP_ADDON_PORT", DEFAULT_PORT, int)
        if not 0 <= int(port) <= 65535:
            raise SettingsError(f"port must be between 0 and 65535, got {port}")
        if token is None:
            token = env.get("BMCP_ADDON_TOKEN")
        if allow_v1 is None:
            allow_v1 = _switch(env, "BMCP_ALLOW_V1", False)
        return cls(
            host=host,
            port=int(port),
            token=token or None,  # an empty token means "no token", not "the empty token"
            allow_v1=bool(allow_v1),
            **_limits(env),
        )


def _limits(env):
    """The connection bounds, each checked and named by its setting."""
    if env.get(_OLD_MAX_FRAME, "").strip():
        # Refused rather than ignored: a limit the operator set must not silently stop applying.
        raise SettingsError(
            f"{_OLD_MAX_FRAME} was renamed {MAX_MESSAGE_SETTING} (the bridge reads it too): rename it"
        )
    return {
        "max_message": _at_least(env, MAX_MESSAGE_SETTING, DEFAULT_MAX_MESSAGE, int, 1),
        "idle_timeout": _at_least(env, "BMCP_ADDON_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT, float, 0),
        "hello_timeout": _at_least(env, "BMCP_HELLO_TIMEOUT", DEFAULT_HELLO_TIMEOUT, float, 0.001),
        "max_connections": _at_least(env, "BMCP_MAX_ADDON_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, int, 1),
        "max_pending_jobs": _at_least(env, "BMCP_MAX_PENDING_JOBS", DEFAULT_MAX_PENDING_JOBS, int, 1),
    }


def _at_least(env, name, default, kind, minimum):
    value = _number(env, name, default, kind)
    if value < minimum or value != value:  # NaN compares false both ways
        raise SettingsError(f"{name} must be at least {minimum:g}, got {env.get(name)!r}")
    return value


def code_execution_allowed(environ=None):
    """Read at call time so an operator can flip it without restarting Blender."""
    env = os.environ if environ is None else environ
    return env.get("BMCP_ALLOW_CODE", "1").strip().lower() not in ("0", "false", "no", "off")


DEFAULT_CODE_TIMEOUT = 60.0
DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024
DEFAULT_CHECKPOINT_DEBOUNCE = 1.0
DEFAULT_CHECKPOINT_KEEP = 5


# The readers below run at call time (not once at start) so an operator can
# change them without restarting Blender; a bad value falls back to the default
# rather than failing a command that has nothing to do with it.


def code_timeout(environ=None):
    """The longest code.execute may run, in seconds (BMCP_CODE_TIMEOUT): its default and
    the ceiling a caller's timeout_s cannot exceed."""
    return _positive(environ, "BMCP_CODE_TIMEOUT", DEFAULT_CODE_TIMEOUT, float)


def max_output_bytes(environ=None):
    """How much of its stdout, and of its stderr, one code.execute keeps (BMCP_MAX_OUTPUT_BYTES):
    output is held in memory and sent in one reply, so it must stay well under the message limit."""
    return _positive(environ, "BMCP_MAX_OUTPUT_BYTES", DEFAULT_MAX_OUTPUT_BYTES, int, allow_zero=True)


def checkpoint_debounce(environ=None):
    """Quiet seconds after a change before a session is checkpointed."""
    return _positive(environ, "BMCP_CHECKPOINT_DEBOUNCE", DEFAULT_CHECKPOINT_DEBOUNCE, float, allow_zero=True)


def checkpoint_keep(environ=None):
    """How many checkpoint files a session keeps (at least 1)."""
    return _positive(environ, "BMCP_CHECKPOINT_KEEP", DEFAULT_CHECKPOINT_KEEP, int)


DEFAULT_GUI_BURST = 2.0
DEFAULT_GUI_LINGER = 0.05


def gui_burst(environ=None):
    """GUI: the longest one timer tick keeps running commands that arrive back to back before
    Blender may redraw. A full window redraw costs more than most commands (243 ms under Xvfb
    against 3.9 ms for a cube), so a burst is drawn once at its end; the UI waits at most this."""
    return _positive(environ, "BMCP_GUI_BURST", DEFAULT_GUI_BURST, float)


def gui_linger(environ=None):
    """GUI: how long a tick that has just run a command waits for the next one before it hands
    Blender the redraw. Longer than headless's 6 ms: a client's next command after a reply takes
    5-20 ms to arrive on a busy machine, and missing it costs a full redraw (~250 ms)."""
    return _positive(environ, "BMCP_GUI_LINGER", DEFAULT_GUI_LINGER, float)


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


# -- token files ---------------------------------------------------------------------

# A token is a line of text; anything longer than this is not one.
_TOKEN_FILE_LIMIT = 4096


def default_token_file(environ=None):
    """Where a GUI addon keeps its token, and the bridge looks for it when it has none:
    BMCP_ADDON_TOKEN_FILE, else $XDG_CONFIG_HOME/bmcp/addon.token, else ~/.config/bmcp/addon.token."""
    env = os.environ if environ is None else environ
    explicit = env.get("BMCP_ADDON_TOKEN_FILE")
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    config = env.get("XDG_CONFIG_HOME")
    if not config or not os.path.isabs(config):  # the XDG spec says to ignore a relative one
        config = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return os.path.join(config, "bmcp", "addon.token")


def read_token_file(path, follow_symlinks=False):
    """The token in `path`, or SettingsError naming what is wrong with the file.

    The file must be readable by its owner only (0600 or stricter), and that owner
    must be this user or root: anyone else could have chosen the token.
    """
    try:
        if follow_symlinks:
            path = os.path.realpath(path)
        data, info = read_nofollow(path, _TOKEN_FILE_LIMIT + 1)
    except FileNotFoundError:
        raise SettingsError(
            f"token file {path} does not exist: create it with the token on one line, then chmod 600 it"
        ) from None
    except OSError as exc:
        if os.path.islink(path):
            raise SettingsError(
                f"token file {path} is a symlink, which the addon does not follow: name the file itself"
            ) from None
        raise SettingsError(f"cannot read token file {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SettingsError(f"token file {path} is not a regular file")
    if os.name != "nt":  # Windows has no such mode bits; the profile's ACLs guard the file
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise SettingsError(
                f"token file {path} has mode {mode:04o}, so group or others can read it: run chmod 600 {path}"
            )
        if info.st_uid not in (os.geteuid(), 0):
            raise SettingsError(
                f"token file {path} belongs to uid {info.st_uid}, not to this user (uid {os.geteuid()}) "
                "or root: use a token file of your own"
            )
    if len(data) > _TOKEN_FILE_LIMIT:
        raise SettingsError(f"token file {path} is larger than {_TOKEN_FILE_LIMIT} bytes: it should hold one token")
    try:
        token = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise SettingsError(f"token file {path} is not UTF-8 text") from None
    if not token:
        raise SettingsError(f"token file {path} is empty: put the token on its first line")
    return token


def ensure_token_file(path):
    """The token in `path`; a missing file is created (folder 0700, file 0600) holding a
    new random token, so a GUI addon is never without one."""
    if not os.path.lexists(path):
        try:
            _create_token_file(path)
        except OSError as exc:
            raise SettingsError(
                f"cannot create token file {path}: {exc.strerror or exc}; set BMCP_ADDON_TOKEN, "
                "or BMCP_ADDON_TOKEN_FILE to a file you can create"
            ) from None
    return read_token_file(path, follow_symlinks=False)


def _create_token_file(path):
    folder = os.path.dirname(path)
    make_private_dirs(folder)
    # Written whole under a unique name, then linked to the real one: link() never
    # replaces a file, so of two Blenders starting at once one token wins, and no
    # reader ever sees a half-written file.
    temporary = os.path.join(folder, f".addon.token.{secrets.token_hex(8)}.tmp")
    try:
        create_private_file(temporary, secrets.token_urlsafe(32).encode("ascii"))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # the other one's token it is
    finally:
        remove_quietly(temporary)


def durable_checkpoints(environ=None):
    """BMCP_DURABILITY=safe: a checkpoint is fsynced (file and folder) before it counts."""
    env = os.environ if environ is None else environ
    return env.get("BMCP_DURABILITY", "fast").strip().lower() == "safe"
