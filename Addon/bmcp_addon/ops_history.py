"""history.undo_push, history.undo, history.redo (GUI only).

Blender keeps no undo stack in background mode (`blender -b`), so there these
ops answer not_available_headless. In the GUI every mutating op also pushes an
undo step named after itself (see dispatch.py), so history.undo reverts the
last op.
"""

import bpy

from .ops_common import registry
from .registry import NAME, OpError, Param


def _require_gui(op_name):
    if bpy.app.background:
        raise OpError(
            "not_available_headless",
            f"{op_name}: Blender runs headless here and keeps no undo history; "
            "checkpoint with session.checkpoint or save with file.save instead",
        )


def push_step(message):
    """Record the current state as an undo step (GUI only; a no-op headless)."""
    # After a session's scene is opened from a timer there is no window context until the UI
    # catches up, and undo_push refuses to run; the op itself has run by then, so failing
    # it here would report an error for a change that was made.
    if not bpy.app.background and bpy.ops.ed.undo_push.poll():
        bpy.ops.ed.undo_push(message=message)


@registry.op("history.undo_push", message=Param(NAME))
def history_undo_push(ctx, message):
    _require_gui("history.undo_push")
    bpy.ops.ed.undo_push(message=message)
    return {"pushed": message}


def _step(op_name, operator, nothing):
    _require_gui(op_name)
    if not operator.poll():
        raise OpError(nothing, f"{op_name}: there is nothing to {op_name.split('.')[1]}")
    operator()
    return {"done": True}


@registry.tool(
    "undo",
    "Undo the last step (GUI Blender only: headless Blender keeps no undo history).",
    toolset="core",
    output={"done": {"type": "boolean"}},
)
@registry.mutating_op("history.undo")
def history_undo(ctx):
    return _step("history.undo", bpy.ops.ed.undo, "nothing_to_undo")


@registry.tool(
    "redo",
    "Redo the last undone step (GUI Blender only).",
    toolset="core",
    output={"done": {"type": "boolean"}},
)
@registry.mutating_op("history.redo")
def history_redo(ctx):
    return _step("history.redo", bpy.ops.ed.redo, "nothing_to_redo")
