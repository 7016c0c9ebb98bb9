"""Started by the GUI test as `blender --python gui_start.py` under Xvfb:
enables the addon the way a user's Blender would (register()), so requests
run through the bpy.app.timers path instead of the headless serve loop."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import bmcp_addon  # noqa: E402

bmcp_addon.register()
