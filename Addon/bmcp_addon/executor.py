"""Runs work on Blender's main thread, the only thread allowed to touch bpy.

The network thread submits jobs (plain callables) to a thread-safe queue.
Headless (`blender -b`): bpy.app.timers never fire once the startup script
returns, so the main thread blocks in serve_forever() on the queue itself and
picks a job up the moment it arrives.
GUI: Blender's event loop owns the main thread, so ONE persistent timer drains
the queue; its interval shrinks while commands are flowing and grows when idle.

Between jobs (never during one) the executor also runs an optional idle task,
e.g. the debounced session checkpoint, which tells it when it wants to run next.
"""

import logging
import queue
import threading
import time

log = logging.getLogger("bmcp_addon")

# Timer intervals in seconds for the GUI drain. Blender's own loop sleeps about
# 5 ms between iterations when nothing happens, so anything below that is
# "as soon as possible".
HOT_INTERVAL = 0.001
WARM_INTERVAL = 0.01
IDLE_INTERVAL = 0.05
HOT_WINDOW = 1.0
WARM_WINDOW = 10.0
# How long one timer tick may run jobs before handing the UI back (one frame), unless the
# add-on gives another budget: the GUI's is settings.gui_burst(), so that a burst of commands
# is not interleaved with full redraws (each one costs more than a command).
TICK_BUDGET = 0.016
# After a job, wait this long for the next one inside the same tick: a client
# issuing commands back to back then skips Blender's ~5 ms loop sleep. 6 ms covers
# the round trip of a command through MCP and the bus (~4 ms here; with 2 ms the GUI
# answered MCP calls in 8.2 ms p50 against 4.0 ms headless). The UI waits at most this
# long, and only in a tick that has just run a command.
LINGER = 0.006
# Headless wait granularity; only bounds how often the stop flag is re-checked
# when no signal interrupts the wait.
HEADLESS_POLL = 0.5

_WAKE = object()


class MainThreadExecutor:
    def __init__(self, tick_budget=TICK_BUDGET, linger=LINGER):
        # GUI: how long one tick may keep running jobs that arrive back to back, and how long it
        # waits for the next one (settings.gui_burst, settings.gui_linger).
        self._tick_budget = tick_budget
        self._linger = linger
        # Set (from a load_post handler) when a job opened a file: the tick ends after that job,
        # because Blender finishes a load (its undo history among it) only in its event loop.
        self.end_tick_requested = False
        self._jobs = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._last_work = float("-inf")
        # bpy.app.timers identifies a timer by the callable object, and each
        # attribute access creates a new bound method; keep exactly one.
        self._timer_function = self._drain
        self._idle_task = None

    def set_idle_task(self, task):
        """task() runs on the main thread between jobs and returns the seconds
        until it next has work (None: nothing pending)."""
        self._idle_task = task

    def _run_idle_task(self):
        if self._idle_task is None:
            return None
        try:
            return self._idle_task()
        except Exception:
            log.exception("bmcp_addon: idle task failed")
            return None

    def submit(self, job):
        self._jobs.put(job)

    def stop(self):
        self._stopping.set()
        self._jobs.put(_WAKE)

    @property
    def stopping(self):
        return self._stopping.is_set()

    def _run(self, job):
        """Run one job; return False for the stop() wake-up marker, which is no work."""
        if job is _WAKE:
            return False
        try:
            job()
        except Exception:
            # Jobs answer their own errors; this only protects the loop itself.
            log.exception("bmcp_addon: a main-thread job failed")
        self._last_work = time.monotonic()
        return True

    # -- headless ---------------------------------------------------------

    def serve_forever(self):
        """Block the calling (main) thread running jobs until stop() is called."""
        while not self._stopping.is_set():
            wait = HEADLESS_POLL
            due_in = self._run_idle_task()
            if due_in is not None:
                wait = min(wait, max(due_in, 0.0))
            try:
                job = self._jobs.get(timeout=wait)
            except queue.Empty:
                continue
            self._run(job)

    # -- GUI ----------------------------------------------------------------

    def start_timer(self):
        import bpy

        self._stopping.clear()
        if not bpy.app.timers.is_registered(self._timer_function):
            # persistent: keep draining after File > New / Open.
            bpy.app.timers.register(self._timer_function, first_interval=0.0, persistent=True)

    def stop_timer(self):
        import bpy

        self.stop()
        if bpy.app.timers.is_registered(self._timer_function):
            bpy.app.timers.unregister(self._timer_function)

    def _drain(self):
        # An exception escaping a timer unregisters it for good, hence the broad guard.
        try:
            if self._stopping.is_set():
                return None
            return self._drain_once()
        except Exception:
            log.exception("bmcp_addon: main-thread drain failed; continuing")
            return IDLE_INTERVAL

    def _drain_once(self):
        started = time.perf_counter()
        ran_any = False
        while time.perf_counter() - started < self._tick_budget:
            try:
                job = self._jobs.get(timeout=self._linger) if ran_any else self._jobs.get_nowait()
            except queue.Empty:
                break
            ran_any = self._run(job) or ran_any
            if self.end_tick_requested:
                self.end_tick_requested = False
                break
        interval = self._next_interval()
        due_in = self._run_idle_task()
        if due_in is not None:
            interval = min(interval, max(due_in, HOT_INTERVAL))
        return interval

    def _next_interval(self):
        if not self._jobs.empty():
            return HOT_INTERVAL
        quiet_for = time.monotonic() - self._last_work
        if quiet_for < HOT_WINDOW:
            return HOT_INTERVAL
        if quiet_for < WARM_WINDOW:
            return WARM_INTERVAL
        return IDLE_INTERVAL
