"""The session context a v2 request may carry, and the checkpoint file rules.

Pure Python (no bpy): the network thread validates contexts with it, and the
rules the Swift broker depends on (which file is "newest", what is kept) are
unit-tested without Blender.

    "session": {"id": "s-abc123", "dir": "/abs/.../sessions/s-abc123", "expect_checkpoint": false,
                "observe": false}

`observe` marks a read-only look (log-writer's snapshots): it is answered only while the
session is resident, and never loads it. `home` marks a GUI Blender's home session: the
user's own scene (see home_scene.py), never loaded from the template.
"""

import os
import re
import time
from dataclasses import dataclass

from .values import describe_value

SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
CHECKPOINTS = "checkpoints"
# Blender writes a checkpoint under a hidden unique name first (private_files.temporary_name)
# and os.replace() then gives it its real name, so no reader sees half a checkpoint under a
# name it would list: hidden names are never checkpoints.
CHECKPOINT_SUFFIX = ".blend"


class BadSession(ValueError):
    """The request's session context is unusable; the message names why."""


@dataclass(frozen=True)
class SessionContext:
    id: str
    dir: str
    expect_checkpoint: bool = False
    observe: bool = False
    # The broker's journal number for this mutating command; checkpoints record the
    # highest one applied, so a restore knows which journal entries to replay.
    journal_seq: int = None
    home: bool = False

    @property
    def checkpoint_dir(self):
        return os.path.join(self.dir, CHECKPOINTS)


def parse_session_context(raw, data_dir=None):
    """Return a SessionContext, or None when the request carries none.

    `data_dir` is BMCP_DATA: when given, the session dir must lie inside
    `<data_dir>/sessions` (after resolving `..` and symlinks).
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise BadSession(f"'session' must be an object, got {describe_value(raw)}")
    unknown = sorted(set(raw) - {"id", "dir", "expect_checkpoint", "observe", "journal_seq", "home"})
    if unknown:
        raise BadSession(
            f"unknown session field '{unknown[0]}' (known: dir, expect_checkpoint, home, id, journal_seq, observe)")
    session_id = raw.get("id")
    if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
        raise BadSession(
            "session id must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$, "
            f"got {describe_value(session_id)}"
        )
    directory = raw.get("dir")
    if not isinstance(directory, str) or not os.path.isabs(directory):
        raise BadSession(f"session dir must be an absolute path, got {describe_value(directory)}")
    parts = directory.rstrip("/").split("/")
    if any(part in (".", "..") for part in parts):
        raise BadSession(f"session dir must not contain '.' or '..' components, got '{directory}'")
    directory = directory.rstrip("/") or "/"
    if os.path.basename(directory) != session_id:
        raise BadSession(
            f"the last component of session dir '{directory}' must equal the session id '{session_id}'"
        )
    if data_dir:
        sessions_root = os.path.realpath(os.path.join(data_dir, "sessions"))
        resolved = os.path.realpath(directory)
        if not resolved.startswith(sessions_root + os.sep):
            raise BadSession(
                f"session dir '{directory}' must be inside {sessions_root} (BMCP_DATA/sessions)"
            )
    expect = raw.get("expect_checkpoint", False)
    if expect is None:
        expect = False
    if not isinstance(expect, bool):
        raise BadSession(f"expect_checkpoint must be a boolean, got {describe_value(expect)}")
    observe = raw.get("observe", False)
    if not isinstance(observe, bool):
        raise BadSession(f"observe must be a boolean, got {describe_value(observe)}")
    journal_seq = raw.get("journal_seq")
    if journal_seq is not None and (isinstance(journal_seq, bool) or not isinstance(journal_seq, int) or journal_seq < 1):
        raise BadSession(f"journal_seq must be a whole number of 1 or more, got {describe_value(journal_seq)}")
    home = raw.get("home", False)
    if not isinstance(home, bool):
        raise BadSession(f"home must be a boolean, got {describe_value(home)}")
    return SessionContext(session_id, directory, expect, observe, journal_seq, home)


def checkpoint_name(counter, now=None, journal_seq=0):
    """`<UTC yyyymmddTHHMMSSmmmZ>-<counter>-j<journal seq>.blend`; names sort chronologically.

    The counter is zero-padded so two checkpoints of the same millisecond also
    sort in the order they were written. The journal number is the last broker
    journal entry the scene holds: in the name, so it is written atomically with
    the file (the rename) and read without opening it.
    """
    now = time.time() if now is None else now
    seconds = int(now)
    millis = int((now - seconds) * 1000)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(seconds))
    return f"{stamp}{millis:03d}Z-{counter:06d}-j{int(journal_seq)}{CHECKPOINT_SUFFIX}"


def checkpoint_journal_seq(path):
    """The journal number in a checkpoint's name; 0 for names from before the journal."""
    name = os.path.basename(path or "")
    if not name.endswith(CHECKPOINT_SUFFIX):
        return 0
    stem = name[: -len(CHECKPOINT_SUFFIX)]
    marker = stem.rfind("-j")
    if marker < 0 or not stem[marker + 2 :].isdigit():
        return 0
    return int(stem[marker + 2 :])


def list_checkpoints(checkpoint_dir):
    """Checkpoint file paths, oldest first (empty when the folder does not exist)."""
    try:
        names = os.listdir(checkpoint_dir)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = sorted(n for n in names if n.endswith(CHECKPOINT_SUFFIX) and not n.startswith("."))
    return [os.path.join(checkpoint_dir, name) for name in names]


def newest_checkpoint(checkpoint_dir):
    found = list_checkpoints(checkpoint_dir)
    return found[-1] if found else None


def prune_checkpoints(checkpoint_dir, keep):
    """Delete all but the newest `keep` checkpoints; return the deleted paths."""
    found = list_checkpoints(checkpoint_dir)
    doomed = found[: max(0, len(found) - max(1, keep))]
    for path in doomed:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
    return doomed
