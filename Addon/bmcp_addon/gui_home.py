"""What a GUI addon adds while it serves: the user's scene as the home session, the panel's
state and status-bar note, and the announcement `bmcp up --attach` finds (GUI only; uses bpy).

Everything here runs on the main thread; the network thread only reads `server.home_fields`,
which is replaced whole, never changed in place.
"""

import atexit
import logging
import time

import bpy
from bpy.app.handlers import persistent

from . import announce
from .gui_status import GuiStatus
from .home_scene import HomeScene, home_name

log = logging.getLogger("bmcp_addon")


class GuiHome:
    def __init__(self, running):
        self.running = running
        self.home = HomeScene()
        self.status = GuiStatus()
        self._announced = None
        # Handlers must be plain functions marked persistent (kept across file loads).
        @persistent
        def on_file_change(*_args):
            self._file_changed()

        self._on_file_change = on_file_change

    # -- lifecycle -------------------------------------------------------------------

    def start(self):
        """After the server listens: tell bridges and `bmcp up` who we are."""
        try:
            self._refresh()
        except AttributeError:
            # Enabled during Blender's start-up, bpy.data is not readable yet; the first timer
            # tick can read it. Until then bridges hear of an untitled home session.
            self.running.server.home_fields = {"id": self.home.session_id, "name": home_name("")}
            bpy.app.timers.register(self._refresh_later, first_interval=0.0)
        for handlers in (bpy.app.handlers.load_post, bpy.app.handlers.save_post):
            if self._on_file_change not in handlers:
                handlers.append(self._on_file_change)
        # A GUI Blender may quit without unregistering the add-on.
        atexit.register(self.stop)

    def stop(self):
        for handlers in (bpy.app.handlers.load_post, bpy.app.handlers.save_post):
            if self._on_file_change in handlers:
                handlers.remove(self._on_file_change)
        announce.remove_announcement()
        self._announced = None

    def _refresh_later(self):
        self._file_changed()
        return None

    def _file_changed(self, *_args):
        # Let Blender finish the load before the next command: in a long tick, an undo right
        # after a scene swap went back into the previous scene's history.
        self.running.executor.end_tick_requested = True
        try:
            self._refresh()
        except Exception:
            log.exception("bmcp_addon: cannot refresh the announcement after a file change")

    def _refresh(self):
        """Name the home session after the user's file (the one the user has, not a checkpoint
        we loaded for another session) and rewrite the announcement."""
        resident = self.running.sessions.resident
        if resident is not None and not resident.home:
            return  # another session's scene is loaded; the user's name stays what it was
        name = home_name(bpy.data.filepath)
        self.running.server.home_fields = {"id": self.home.session_id, "name": name}
        host, port = self.running.server.address
        fields = announce.announcement_fields(host, port, self.running.context.blender_version, "gui",
                                              bpy.data.filepath, self.home.session_id)
        try:
            self._announced = announce.write_announcement(fields)
        except announce.AnnounceError as exc:
            log.warning("bmcp_addon: %s; `bmcp up --attach HOST:PORT` still works", exc)

    def home_name(self):
        fields = self.running.server.home_fields
        return fields["name"] if fields else home_name(bpy.data.filepath)

    def session_label(self):
        """The current session as the panel shows it: the user's own scene by its name."""
        current = self.status.current_session
        if current is None or current == self.home.session_id:
            return f"{self.home_name()} (your scene)"
        return current

    # -- per command ------------------------------------------------------------------

    def answer(self, answer, request, connection):
        """Run `answer(request, connection)`, recording it for the panel."""
        if request.session is not None and request.session.observe:
            return answer(request, connection)  # log-writer's snapshots: not the user's business
        name = request.tool or request.op
        self.status.started(name, request.session.id if request.session else None)
        started = time.perf_counter()
        frame = answer(request, connection)
        error = frame.get("error") if frame.get("type") == "error" else None
        self.status.finished(name, error.get("code", "error") if isinstance(error, dict) else "ok",
                             (time.perf_counter() - started) * 1000)
        return frame

    def idle(self):
        """Between commands: the status-bar note, set or cleared once per burst; -> seconds
        until it wants to run again (None: nothing pending)."""
        text, changed = self.status.note_wanted()
        if changed:
            try:
                from .panel import show_note

                show_note(text)
            except Exception:
                log.exception("bmcp_addon: cannot set the status-bar note")
        return self.status.note_quiet if text is not None else None
