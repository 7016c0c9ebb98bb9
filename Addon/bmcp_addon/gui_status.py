"""What the MCP panel shows, collected on the main thread as commands run (pure Python).

Recording costs a deque append per command; nothing here redraws. The panel reads it when
Blender draws anyway, and the status-bar note is set once per burst of commands and cleared
when the burst is over (`BMCP_GUI_NOTE_QUIET` seconds without a command), so commands never
wait for a redraw they caused.
"""

import collections
import os
import time
from dataclasses import dataclass

DEFAULT_RECENT = 8
DEFAULT_NOTE_QUIET = 1.0


def _number(name, default, kind=float):
    raw = os.environ.get(name, "")
    try:
        value = kind(raw) if raw.strip() else default
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {raw!r}")
    return value


@dataclass
class CommandLine:
    name: str  # the MCP tool, else the op
    status: str  # ok, or the error code
    duration_ms: float
    finished: float  # time.time()


class GuiStatus:
    def __init__(self, keep=None, note_quiet=None):
        self.recent = collections.deque(maxlen=keep or _number("BMCP_GUI_RECENT", DEFAULT_RECENT, int) or 1)
        self.note_quiet = _number("BMCP_GUI_NOTE_QUIET", DEFAULT_NOTE_QUIET) if note_quiet is None else note_quiet
        self.current_session = None
        self.running = None  # the name of the command in the current burst
        self._note_shown = None
        self._last_command = 0.0

    def started(self, name, session_id):
        self.running = name
        self._last_command = time.monotonic()
        if session_id:
            self.current_session = session_id

    def finished(self, name, status, duration_ms):
        self.recent.appendleft(CommandLine(name, status, duration_ms, time.time()))
        self._last_command = time.monotonic()

    def note_wanted(self):
        """The status-bar text wanted now (None: no note), and whether it differs from the one shown."""
        quiet = time.monotonic() - self._last_command > self.note_quiet
        if quiet or self.running is None:
            wanted = self.running = None
        elif self._note_shown is not None:
            wanted = self._note_shown  # one note per burst: changing it would redraw per command
        else:
            wanted = f"MCP: running {self.running}…"
        changed = wanted != self._note_shown
        self._note_shown = wanted
        return wanted, changed
