"""The user's own scene in a GUI Blender, as a session of its own: the *home* session.

A GUI Blender shows the user's file; MCP clients routed to it work in that scene by default
(the broker names it after `home_session_id()` and marks its context `home`). Nothing here
ever writes the user's file:

* Adopting: the first home request takes the scene as it is (nothing is loaded or saved).
* Leaving: before another session's scene is loaded, the user's scene is saved as a *copy*
  into the home session's checkpoint folder, with the user's file path written into the
  copy's FileGlobal (blend_globals), and its dirty state and the file's mtime remembered.
* Coming back: a clean scene whose file is unchanged on disk is reopened from the user's own
  file (read, not written); otherwise the checkpoint is opened with `wm.recover_auto_save`,
  which takes the file path the copy remembers, and a dirty scene is marked dirty again (one
  undo step), so Ctrl-S saves where it always did and the title bar still says "unsaved".

Main thread only, between commands.
"""

import contextlib
import logging
import os
import re
import socket
import time
from dataclasses import dataclass

import bpy

from . import session_context as rules
from .blend_globals import BlendLayoutError, set_remembered_path
from .private_files import blender_writes, make_private_dirs
from .registry import OpError

log = logging.getLogger("bmcp_addon")

HOME_PREFIX = "home-"
UNTITLED = "untitled"


def home_session_id(host=None, pid=None):
    """`home-<host>-<pid>`: one per GUI Blender process, valid as a session id."""
    host = re.sub(r"[^A-Za-z0-9_.-]", "-", host or socket.gethostname()).strip(".-") or "host"
    return f"{HOME_PREFIX}{host[:60]}-{pid or os.getpid()}"


def home_name(filepath):
    """The home session's readable name: the .blend's name without extension, or 'untitled'."""
    if not filepath:
        return UNTITLED
    return os.path.splitext(os.path.basename(filepath))[0] or UNTITLED


@dataclass
class UserSceneCheckpoint:
    path: str  # the checkpoint .blend (a copy)
    filepath: str  # the user's own file ('' when untitled)
    dirty: bool
    file_mtime: float = None  # of the user's file when checkpointed
    path_remembered: bool = True


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


class HomeScene:
    def __init__(self, session_id=None):
        self.session_id = session_id or home_session_id()
        self.saved = None  # the latest UserSceneCheckpoint

    def folder_beside(self, other_session_dir):
        """The home session's folder, a sibling of another session's (same BMCP_DATA/sessions)."""
        return os.path.join(os.path.dirname(other_session_dir.rstrip("/")), self.session_id)

    def checkpoint(self, session_dir, counter):
        """Save the user's scene as a copy under `session_dir`/checkpoints; return its path."""
        filepath = bpy.data.filepath
        record = UserSceneCheckpoint(path="", filepath=filepath, dirty=bool(bpy.data.is_dirty),
                                     file_mtime=_mtime(filepath) if filepath else None)

        def write(path):
            bpy.ops.wm.save_as_mainfile(filepath=path, copy=True, compress=False)
            if filepath:
                try:
                    set_remembered_path(path, filepath)
                except BlendLayoutError as exc:
                    record.path_remembered = False
                    log.warning("bmcp_addon: the user's file path cannot be kept in the checkpoint (%s)", exc)

        folder = os.path.join(session_dir, rules.CHECKPOINTS)
        final = os.path.join(folder, rules.checkpoint_name(counter))
        try:
            make_private_dirs(folder)
            blender_writes(final, write)
        except (OSError, RuntimeError) as exc:
            # Refuse the switch: loading another scene now would lose the user's work.
            raise OpError("checkpoint_failed",
                          f"cannot checkpoint the user's scene into {folder}, so no other scene was loaded: {exc}") from None
        record.path = final
        self.saved = record
        log.info("bmcp_addon: the user's scene (%s%s) checkpointed to %s",
                 filepath or "untitled", ", unsaved changes" if record.dirty else "", final)
        return final

    def restore(self):
        """Bring the user's scene back as it was checkpointed; -> the file it was read from."""
        saved = self.saved
        if saved is None:
            raise OpError("checkpoint_missing", "the user's scene was never checkpointed in this Blender; nothing to restore")
        if not saved.dirty and saved.filepath and _mtime(saved.filepath) == saved.file_mtime:
            # Clean and unchanged on disk: the user's own file is exactly the scene.
            bpy.ops.wm.open_mainfile(filepath=saved.filepath)
            return saved.filepath
        try:
            # Takes the file path the checkpoint remembers (set_remembered_path).
            bpy.ops.wm.recover_auto_save(filepath=saved.path)
        except RuntimeError as exc:
            raise OpError("checkpoint_corrupt", f"cannot reopen the user's scene from {saved.path}: {exc}",
                          file=saved.path) from None
        if saved.dirty:
            # Blender marks a freshly read file clean once its load has finished in the event
            # loop, at a moment no handler reports; keep it marked unsaved until that is over.
            # persistent: that deferred end of the load would drop the timer otherwise.
            global _keeper
            _keeper = _KeepUnsaved()
            bpy.app.timers.register(_keeper, first_interval=0.0, persistent=True)
        return saved.path

    @staticmethod
    def open_new_scene():
        """A new session's scene in a GUI Blender: what File > New gives the user (their
        startup file), never a copy of their own scene; its file path is empty."""
        bpy.ops.wm.read_homefile(load_ui=False)

    def describe(self):
        saved = self.saved
        if saved is None:
            return None
        return {"checkpoint": saved.path, "filepath": saved.filepath or None, "unsaved_changes": saved.dirty,
                "path_remembered": saved.path_remembered}


@contextlib.contextmanager
def _no_override():
    yield


class _KeepUnsaved:
    """For KEEP_UNSAVED_FOR seconds after a restore, an unsaved-changes flag that Blender
    cleared is set again (with one undo step, the only way Python has to set it): as a timer,
    and before every command (`reassert_unsaved`), because a burst of commands runs in one
    executor tick, where the end of the load may clear the flag with no timer turn between."""

    KEEP_UNSAVED_FOR = 5.0
    INTERVAL = 0.05

    def __init__(self):
        self.until = time.monotonic() + self.KEEP_UNSAVED_FOR

    @property
    def active(self):
        return time.monotonic() < self.until

    def mark(self):
        if bpy.data.is_dirty:
            return
        # A timer has no window in its context; undo_push needs one.
        windows = bpy.context.window_manager.windows
        with bpy.context.temp_override(window=windows[0]) if windows else _no_override():
            if bpy.ops.ed.undo_push.poll():
                bpy.ops.ed.undo_push(message="bmcp: user scene restored")

    def __call__(self):
        self.mark()
        return self.INTERVAL if self.active else None


_keeper = None


def reassert_unsaved():
    """Before a command in a GUI Blender: keep the restored scene's unsaved mark (above)."""
    keeper = _keeper
    if keeper is not None and keeper.active:
        keeper.mark()
