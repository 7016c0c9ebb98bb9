"""Started by the GUI test as `blender --python gui_start.py` under Xvfb:
enables the addon the way a user's Blender would (Preferences > Add-ons, which
calls register() and gives it a preferences entry), so requests run through
the bpy.app.timers path instead of the headless serve loop."""

import os
import sys

import addon_utils

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

if addon_utils.enable("bmcp_addon", default_set=True) is None:
    print("gui_start: enabling bmcp_addon failed (see the traceback above)", flush=True)
