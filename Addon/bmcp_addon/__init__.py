"""Blender MCP v2 addon: serves Blender's scene to the Blender MCP v2 bridge
(framed JSON, protocol 2) and to V1 Blender MCP servers (bare JSON).

Headless:  blender -b --factory-startup --python Addon/serve.py -- --port 9876
GUI:       enable the addon (or call register()); it serves in the background.

bpy and the bpy-using modules are imported inside functions so the pure-Python
modules of this package (framing, protocol, registry, settings) stay
importable by plain Python for unit tests.
"""

bl_info = {
    "name": "Blender MCP v2",
    "author": "Blender MCP v2 contributors",
    "version": (2, 0, 0),
    "blender": (3, 4, 0),
    "location": "Runs in the background; see the README",
    "description": "Lets the Blender MCP v2 bridge (and V1 MCP servers) drive Blender over TCP",
    "category": "System",
}

import logging
import os
import signal
import sys
import time

log = logging.getLogger("bmcp_addon")

READY_PREFIX = "BMCP_ADDON_READY"

# The one running instance in this Blender process (GUI mode), if any.
_running = None
# Why the last start did not serve, if it did not.
_not_serving = None


class RunningAddon:
    """The server, executor, sessions and op context that exist while the addon serves."""

    def __init__(self, settings, mode):
        from . import commands, v1
        from . import architecture  # noqa: F401  (registers the arch.* ops in commands.registry)
        from .dispatch import RequestDispatcher
        from .executor import MainThreadExecutor
        from .server import AddonServer
        from .sessions import SessionManager

        self.mode = mode
        self.settings = settings
        from .settings import gui_burst, gui_linger

        gui = mode == "gui"
        self.executor = MainThreadExecutor(tick_budget=gui_burst(), linger=gui_linger()) if gui else MainThreadExecutor()
        # GUI: the user's scene is a session of its own, and the panel shows what happens.
        self.gui = None
        if mode == "gui":
            from .gui_home import GuiHome

            self.gui = GuiHome(self)
        self.sessions = SessionManager(on_checkpoint=self._announce_checkpoint,
                                       home=self.gui.home if self.gui else None)
        blender_version = commands.blender_version()
        self.server = AddonServer(
            settings,
            mode=mode,
            blender_version=blender_version,
            executor=self.executor,
            answer_request=self.answer_request,
            run_v1=self.run_v1,
            v1_allowed=self.v1_allowed,
        )
        self.context = commands.OpContext(
            mode=mode,
            blender_version=blender_version,
            started_at=time.monotonic(),
            connection_count=self.server.connection_count,
            sessions=self.sessions,
        )
        self.dispatcher = RequestDispatcher(commands.registry, self.context)
        # Debounced checkpoints are written between commands on the main thread.
        self.executor.set_idle_task(self._idle if self.gui else self.sessions.tick)
        self._v1 = v1

    @property
    def status(self):
        return self.gui.status if self.gui else None

    def home_name(self):
        return self.gui.home_name() if self.gui else None

    def _idle(self):
        waits = [wait for wait in (self.sessions.tick(), self.gui.idle()) if wait is not None]
        return min(waits) if waits else None

    def answer_request(self, request, connection):
        if self.gui is not None:
            return self.gui.answer(self.dispatcher.answer, request, connection)
        return self.dispatcher.answer(request, connection)

    def run_v1(self, message):
        return self._v1.answer(message, self.dispatcher.run_op, self.mode)

    def v1_allowed(self):
        """Main thread, when a V1 client connects: --allow-v1 / BMCP_ALLOW_V1, or in the
        GUI the preferences checkbox (read now, so flipping it needs no restart)."""
        if self.settings.allow_v1:
            return True
        if self.mode != "gui":
            return False
        try:
            from .preferences import v1_allowed
            return v1_allowed()
        except Exception:
            log.exception("bmcp_addon: cannot read the 'Allow V1 clients' preference; V1 stays off")
            return False

    def _announce_checkpoint(self, connection, session_id, path):
        """Tell the connection that speaks for the session (the bridge) about a
        checkpoint it did not ask for, so it can tell the broker."""
        from .protocol import event_frame

        if connection is not None and not connection.closed:
            connection.send_frame(event_frame("session.checkpointed", session=session_id, path=path, ts=time.time()))

    def save_template(self):
        """Keep the untouched startup scene as the start of every new session."""
        try:
            self.sessions.save_template()
        except Exception as exc:
            if self.mode != "gui":
                raise
            # An add-on enabled during Blender's start-up may not run operators
            # yet; the first timer tick can.
            log.info("bmcp_addon: saving the session template later (%s)", exc)
            import bpy

            bpy.app.timers.register(self._save_template_later, first_interval=0.0)

    def _save_template_later(self):
        try:
            self.sessions.save_template()
        except Exception:
            log.exception("bmcp_addon: cannot save the session template; the first session will save it")
        return None

    def ready_line(self):
        from .server import format_address

        host, port = self.server.address
        return f"{READY_PREFIX} {format_address(host, port)} blender={self.context.blender_version} mode={self.mode}"


def _configure_logging():
    if not log.handlers:
        # sys.__stderr__, not sys.stderr: code.execute redirects sys.stderr
        # while user code runs, and log lines must not land in its capture.
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _bind_failure_reason(exc):
    import socket

    if isinstance(exc, socket.gaierror):
        return f"the host name does not resolve ({exc.strerror})"
    # create_server's own message repeats the address; the errno text is enough.
    return os.strerror(exc.errno) if exc.errno else str(exc)


def _refusal_to_listen(settings):
    """Why the addon must not listen where it was told to, or None.

    Every op can run Python, so a port other machines can reach is a door: it
    needs a token. What counts is the address the socket would really bind, so
    a name like "localhost" is judged by what it resolves to.
    """
    from .addresses import is_loopback
    from .server import format_address, listen_address

    if settings.token:
        return None
    try:
        _, address = listen_address(settings.host, settings.port)
    except OSError:
        return None  # start() reports the unusable address
    if is_loopback(address[0]):
        return None
    where = format_address(settings.host, settings.port)
    return f"refusing to listen on {where} without a token: set BMCP_ADDON_TOKEN (or --token-file)"


def _report_not_serving(message):
    """Print why the addon does not serve (the preferences panel shows it too)."""
    global _not_serving
    _not_serving = message
    print(f"bmcp_addon: {message}", file=sys.stderr, flush=True)


def not_serving_reason():
    """Why the last start failed, or None (shown in the add-on's preferences)."""
    return _not_serving


def _start(settings, mode):
    """Create and bind; on a refusal or bind error print it naming host:port and return None."""
    from .server import format_address

    global _not_serving
    _configure_logging()
    refusal = _refusal_to_listen(settings)
    if refusal is not None:
        _report_not_serving(refusal)
        return None
    running = RunningAddon(settings, mode)
    running.save_template()
    try:
        running.server.start()
    except OSError as exc:
        where = format_address(settings.host, settings.port)
        _report_not_serving(f"cannot listen on {where}: {_bind_failure_reason(exc)}")
        running.sessions.discard_template()
        return None
    _not_serving = None
    print(running.ready_line(), flush=True)
    return running


def serve(host=None, port=None, token=None, token_file=None, allow_v1=None):
    """Serve until stopped. Headless: blocks the main thread until SIGTERM/SIGINT.

    In a Blender with a UI it cannot block the event loop, so it starts the
    background service like register() and returns.
    """
    import bpy

    from .settings import AddonSettings, SettingsError

    try:
        settings = AddonSettings.from_env(
            host=host, port=port, token=token, token_file=token_file, allow_v1=allow_v1
        )
    except SettingsError as exc:
        print(f"bmcp_addon: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2)
    if not bpy.app.background:
        _start_gui(settings)
        return
    running = _start(settings, "headless")
    if running is None:
        raise SystemExit(1)

    def request_stop(signum, frame):
        running.executor.stop()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    # A launcher may hand us these signals blocked (a child inherits its spawning thread's mask).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        running.executor.serve_forever()
    finally:
        running.server.stop()
        running.sessions.discard_template()
        for sig, handler in previous.items():
            # Blender's own C handler shows up as None and cannot be reinstalled from Python.
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        log.info("bmcp_addon: stopped")


def _start_gui(settings):
    global _running
    if _running is not None:
        return
    running = _start(settings, "gui")
    if running is not None:
        running.gui.start()
        running.executor.start_timer()
        _running = running


def running_addon():
    """The RunningAddon serving in this (GUI) Blender, or None (the panel reads it)."""
    return _running


def register():
    import bpy

    from . import panel, preferences
    from .settings import AddonSettings, SettingsError

    _configure_logging()
    preferences.register()
    if not bpy.app.background:
        panel.register()

    if bpy.app.background:
        # Timers never fire once a background script returns, so a server here
        # would accept connections and never answer them. Headless serving is
        # serve()'s job (Addon/serve.py).
        log.info("bmcp_addon: background mode, not serving from register(); use serve()")
        return

    try:
        settings = _gui_settings(AddonSettings.from_env())
    except SettingsError as exc:
        # Never break Blender's startup over a bad environment variable or token file.
        _report_not_serving(f"not serving: {exc}")
        return
    _start_gui(settings)


def _gui_settings(settings):
    """A GUI addon always has a token: without BMCP_ADDON_TOKEN it uses (and, the first
    time, creates) the token file the bridge reads too, so `bmcp up --attach` still works."""
    import dataclasses

    from .settings import default_token_file, ensure_token_file

    if settings.token:
        return settings
    path = default_token_file()
    token = ensure_token_file(path)
    log.info("bmcp_addon: clients must prove the token in %s", path)
    return dataclasses.replace(settings, token=token)


def unregister():
    global _running
    running, _running = _running, None
    if running is not None:
        running.executor.stop_timer()
        running.server.stop()
        running.sessions.discard_template()
        if running.gui is not None:
            running.gui.stop()
    from . import panel, preferences

    panel.unregister()
    preferences.unregister()
