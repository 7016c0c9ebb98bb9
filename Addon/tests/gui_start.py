"""Started by the GUI test as `blender --python gui_start.py` under Xvfb:
enables the addon the way a user's Blender would (Preferences > Add-ons, which
calls register() and gives it a preferences entry), so requests run through
the bpy.app.timers path instead of the headless serve loop."""

import os
import signal
import sys

import addon_utils
import bpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import serve  # noqa: E402  (Addon/serve.py, for its coverage start; only __main__ serves)


def save_coverage_on_sigterm(measured):
    """The tests stop a GUI Blender with SIGTERM, which ends it at once (atexit never runs): save
    the measurement first, then let SIGTERM end it as before."""

    def on_sigterm(signum, frame):
        measured.stop()
        measured.save()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    # Python runs a handler on the main thread at its next bytecode; an idle Blender runs none
    # (a GUI addon that does not serve has no timer), so a timer of our own ticks for it.
    signal.signal(signal.SIGTERM, on_sigterm)
    bpy.app.timers.register(lambda: 0.1, persistent=True)


measured = serve.start_coverage(os.path.dirname(os.path.abspath(serve.__file__)))
if measured is not None:
    save_coverage_on_sigterm(measured)

if addon_utils.enable("bmcp_addon", default_set=True) is None:
    print("gui_start: enabling bmcp_addon failed (see the traceback above)", flush=True)
