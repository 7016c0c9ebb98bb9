"""Session residency: which session's scene is loaded, and its checkpoints.

Blender holds ONE resident session at a time. Sessions are isolated by
swapping whole .blend files: switching saves the resident session (if it has
unsaved changes) and opens the newcomer's newest checkpoint, or a copy of the
untouched startup scene (the template) for a session that has none.

All methods run on Blender's main thread, between commands.
"""

import atexit
import itertools
import logging
import os
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass, field

import bpy

from . import clean_start
from . import session_context as rules
from .private_files import blender_writes, copy_private_file, make_private_dirs, sync_to_disk
from .registry import OpError
from .settings import checkpoint_debounce, checkpoint_keep, durable_checkpoints

log = logging.getLogger("bmcp_addon")

# The longest a change may wait for its checkpoint, in debounce periods, while
# changes keep coming.
MAX_DELAY_FACTOR = 5.0


@dataclass
class Resident:
    id: str
    dir: str
    dirty: bool = False
    first_change: float = None  # time.monotonic() of the oldest unsaved change
    last_change: float = None
    last_checkpoint: str = None
    retry_at: float = None  # after a failed debounced save
    home: bool = False  # the GUI user's own scene (home_scene.py)
    # The highest broker journal number whose command this scene holds.
    applied_seq: int = 0
    # The connection that last spoke for this session; events go there.
    connection: object = field(default=None, repr=False)

    @property
    def checkpoint_dir(self):
        return os.path.join(self.dir, rules.CHECKPOINTS)


@dataclass
class Activation:
    activated: bool
    restored_from: str = None
    user_scene_checkpoint: str = None  # GUI: where the user's scene was saved before this load


class SessionManager:
    def __init__(self, on_checkpoint=None, home=None):
        """on_checkpoint(connection, session_id, path): a checkpoint nobody asked
        for in this request was written (debounce, or saved on switching away).
        home: a home_scene.HomeScene in a GUI Blender (the user's scene is a session)."""
        self.resident = None
        self.home = home
        self._on_checkpoint = on_checkpoint
        self._counter = itertools.count(1)
        self._template_dir = None
        self._template = None
        # Checkpoints written during the current request, by session id.
        self.written = {}

    # -- the template -------------------------------------------------------------

    def save_template(self):
        """Keep a copy of the scene as loaded now (the untouched startup file)."""
        if self._template is not None:
            return
        self._template_dir = tempfile.mkdtemp(prefix="bmcp-template-")  # 0700
        path = os.path.join(self._template_dir, "template.blend")
        blender_writes(path, _save_copy)
        self._template = path
        # A GUI Blender may quit without unregistering the add-on.
        atexit.register(self.discard_template)

    def discard_template(self):
        if self._template_dir is not None:
            shutil.rmtree(self._template_dir, ignore_errors=True)
        self._template_dir = self._template = None

    def _open_template(self):
        """A new session's scene, as BMCP_SESSION_TEMPLATE says (clean_start.py): empty but
        for a marked camera and sun (default), the startup file, or a named .blend."""
        try:
            setting = clean_start.template_setting()
        except ValueError as exc:
            raise OpError("bad_settings", str(exc)) from None
        if self.home is not None and setting in (clean_start.EMPTY, clean_start.FACTORY):
            # GUI: the template would be the user's own scene (the add-on starts with it loaded).
            self.home.open_new_scene()
        else:
            if self._template is None:
                self.save_template()
            # Open a throwaway copy: the loaded file's path is where a plain
            # "save" would write, and that must never be the template itself.
            fresh = os.path.join(self._template_dir, "fresh.blend")
            copy_private_file(self._template if setting in (clean_start.EMPTY, clean_start.FACTORY) else setting, fresh)
            bpy.ops.wm.open_mainfile(filepath=fresh, load_ui=False)
        if setting == clean_start.EMPTY:
            clean_start.empty_the_scene()

    # -- activation ---------------------------------------------------------------

    def enter(self, context, connection):
        """Make `context`'s session resident (if it is not) before its request runs.

        An observer's context (`observe`) reads the resident session only: loading a session
        for a look would bring back one just released or closed (a snapshot queued behind
        session.release), and a look does not make the observer the session's connection."""
        resident = self.resident
        if resident is not None and resident.id == context.id:
            if resident.dir != context.dir:
                raise OpError(
                    "bad_session",
                    f"session '{context.id}' is resident with dir '{resident.dir}', not '{context.dir}'",
                )
            if not context.observe:
                resident.connection = _weak(connection)
            return Activation(activated=False)
        if context.observe:
            raise OpError(
                "session_not_loaded",
                f"session '{context.id}' is not loaded in this Blender "
                f"(resident: {resident.id if resident else 'none'}); an observer does not load it",
            )
        if self.home is not None and context.home:
            return self._enter_home(context, connection)
        source = rules.newest_checkpoint(context.checkpoint_dir)
        if source is None and context.expect_checkpoint:
            raise OpError(
                "checkpoint_missing",
                f"session '{context.id}' expects a checkpoint but {context.checkpoint_dir} holds no .blend file",
                dir=context.checkpoint_dir,
            )
        user_scene = self._leave_user_scene(context)
        if resident is not None and resident.dirty:
            path = self.checkpoint(reason="switch")
            self._notify(resident, path)
        if source is None:
            self._open_template()
        else:
            try:
                bpy.ops.wm.open_mainfile(filepath=source, load_ui=False)
            except RuntimeError as exc:
                # Blender keeps the scene it had; so does the residency.
                reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unreadable"
                raise OpError(
                    "checkpoint_corrupt",
                    f"cannot open checkpoint {source} of session '{context.id}': {reason}",
                    file=source,
                ) from None
        self.resident = Resident(context.id, context.dir, last_checkpoint=source, connection=_weak(connection),
                                 applied_seq=rules.checkpoint_journal_seq(source))
        return Activation(activated=True, restored_from=source, user_scene_checkpoint=user_scene)

    # -- the GUI user's own scene (home_scene.py) ---------------------------------------

    def _leave_user_scene(self, context):
        """GUI: checkpoint the user's scene before another session's is loaded; -> its path."""
        resident = self.resident
        if self.home is None or (resident is not None and not resident.home):
            return None  # headless, or the user's scene was already put aside
        folder = resident.dir if resident is not None else self.home.folder_beside(context.dir)
        return self.home.checkpoint(folder, next(self._counter))

    def _enter_home(self, context, connection):
        """Make the user's scene resident: adopt it as it is, or bring it back."""
        resident = self.resident
        if resident is None:
            # In a GUI Blender no resident session means the user's own scene is loaded.
            self.resident = Resident(context.id, context.dir, home=True, connection=_weak(connection))
            return Activation(activated=False)
        if resident is not None and resident.dirty:
            self._notify(resident, self.checkpoint(reason="switch"))
        source = self.home.restore()
        self.resident = Resident(context.id, context.dir, home=True, last_checkpoint=self.home.saved.path,
                                 connection=_weak(connection))
        return Activation(activated=True, restored_from=source)

    def restore(self, context, connection):
        """session.restore: make `context`'s session resident from its newest checkpoint
        that opens (older ones if the newest is unreadable, the template if none is left);
        -> {restored_from, journal_seq, skipped, resident}. The broker then replays its journal
        entries after `journal_seq`. A session already resident stays as it is."""
        resident = self.resident
        if resident is not None and resident.id == context.id:
            resident.connection = _weak(connection)
            return {"restored_from": None, "journal_seq": resident.applied_seq, "skipped": [], "resident": True}
        if self.home is not None and context.home:
            activation = self._enter_home(context, connection)
            return {"restored_from": activation.restored_from, "journal_seq": self.resident.applied_seq, "skipped": [],
                    "resident": not activation.activated}
        # GUI: never load over the user's scene without putting it aside first.
        user_scene = self._leave_user_scene(context)
        if resident is not None and resident.dirty:
            path = self.checkpoint(reason="switch")
            self._notify(resident, path)
        skipped = []
        for source in reversed(rules.list_checkpoints(context.checkpoint_dir)):
            try:
                bpy.ops.wm.open_mainfile(filepath=source, load_ui=False)
            except RuntimeError as exc:
                reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unreadable"
                log.error("bmcp_addon: checkpoint %s of session %s does not open (%s); trying an older one",
                          source, context.id, reason)
                skipped.append({"file": source, "error": reason})
                continue
            seq = rules.checkpoint_journal_seq(source)
            self.resident = Resident(context.id, context.dir, last_checkpoint=source, connection=_weak(connection),
                                     applied_seq=seq)
            return {"restored_from": source, "journal_seq": seq, "skipped": skipped, "resident": False,
                    "user_scene_checkpoint": user_scene}
        self._open_template()
        self.resident = Resident(context.id, context.dir, connection=_weak(connection))
        return {"restored_from": None, "journal_seq": 0, "skipped": skipped, "resident": False,
                "user_scene_checkpoint": user_scene}

    def note_applied(self, context):
        """A mutating command with a journal number succeeded in the resident session."""
        resident = self.resident
        if resident is not None and context.journal_seq and resident.id == context.id:
            resident.applied_seq = max(resident.applied_seq, context.journal_seq)

    # -- changes and checkpoints -----------------------------------------------------

    def mark_dirty(self):
        resident = self.resident
        if resident is None or resident.home:
            # The user's own scene is checkpointed only when another scene is about to replace
            # it (never on a command's path); Blender's autosave covers it otherwise.
            return
        now = time.monotonic()
        if not resident.dirty:
            resident.dirty = True
            resident.first_change = now
            resident.retry_at = None
        resident.last_change = now

    def checkpoint(self, reason="request"):
        """Save the resident session now; return the new checkpoint's path."""
        resident = self.resident
        if resident is None:
            raise OpError("no_session", "no session is resident; send a request with a session context first")
        folder = resident.checkpoint_dir
        final = os.path.join(folder, rules.checkpoint_name(next(self._counter), journal_seq=resident.applied_seq))
        try:
            # The session folder too, if the broker has not made it: 0700 like everything here.
            make_private_dirs(folder)
            blender_writes(final, _save_copy)
            if durable_checkpoints():
                sync_to_disk(final)
        except (OSError, RuntimeError) as exc:
            raise OpError(
                "checkpoint_failed", f"cannot write a checkpoint of session '{resident.id}' in {folder}: {exc}"
            ) from None
        resident.dirty = False
        resident.first_change = resident.last_change = resident.retry_at = None
        resident.last_checkpoint = final
        self.written[resident.id] = final
        rules.prune_checkpoints(folder, checkpoint_keep())
        log.info("bmcp_addon: session %s checkpointed (%s) to %s", resident.id, reason, final)
        return final

    def checkpoint_on_request(self):
        """session.checkpoint: save if dirty or never saved; -> (path, saved)."""
        resident = self.resident
        if resident is None:
            raise OpError("no_session", "no session is resident; send a request with a session context first")
        if resident.dirty or resident.last_checkpoint is None:
            return self.checkpoint(), True
        return resident.last_checkpoint, False

    def release(self):
        """Save if dirty, load the template, leave no session resident; -> path or None."""
        resident = self.resident
        if resident is None:
            return None
        path = self.checkpoint(reason="release") if resident.dirty else None
        if self.home is not None and self.home.saved is not None and not resident.home:
            self.home.restore()  # a GUI Blender goes back to what the user had, not to the template
        elif not resident.home:
            self._open_template()
        self.resident = None
        return path

    def status(self):
        resident = self.resident
        return {
            "resident": resident.id if resident else None,
            "dirty": bool(resident and resident.dirty),
            "last_checkpoint": resident.last_checkpoint if resident else None,
        }

    def tick(self):
        """Idle task: write the debounced checkpoint when due; -> seconds until next due."""
        resident = self.resident
        if resident is None or not resident.dirty:
            return None
        now = time.monotonic()
        debounce = checkpoint_debounce()
        due = min(resident.last_change + debounce, resident.first_change + MAX_DELAY_FACTOR * debounce)
        if resident.retry_at is not None:
            due = max(due, resident.retry_at)
        if now < due:
            return due - now
        try:
            path = self.checkpoint(reason="debounce")
        except OpError as exc:
            log.error("bmcp_addon: %s", exc.message)
            resident.retry_at = now + max(debounce, 1.0)
            return resident.retry_at - now
        self.written.pop(resident.id, None)  # not part of any request
        self._notify(resident, path)
        return None

    def _notify(self, resident, path):
        connection = resident.connection() if resident.connection else None
        if self._on_checkpoint is not None:
            self._on_checkpoint(connection, resident.id, path)


def _weak(connection):
    return weakref.ref(connection) if connection is not None else None


def _save_copy(path):
    """Write the scene to `path`, leaving the open file's own path (and dirty state) alone."""
    bpy.ops.wm.save_as_mainfile(filepath=path, copy=True, compress=False)
