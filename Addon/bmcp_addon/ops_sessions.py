"""session.checkpoint, session.release, session.status (see sessions.py)."""

from .ops_common import registry
from .registry import OpError


def _manager(ctx):
    if ctx.sessions is None:
        raise OpError("not_supported", "sessions are not available in this addon instance")
    return ctx.sessions


@registry.op("session.checkpoint")
def session_checkpoint(ctx):
    """Save the resident session now (if it changed, or was never saved)."""
    path, saved = _manager(ctx).checkpoint_on_request()
    return {"path": path, "saved": saved}


@registry.op("session.release")
def session_release(ctx):
    """Save if dirty, load the template, leave no session resident. With a
    session context naming a session that is not resident, nothing happens."""
    manager = _manager(ctx)
    wanted = ctx.request_session
    resident = manager.resident
    if resident is None or (wanted is not None and wanted.id != resident.id):
        return {"checkpoint": None, "released": False}
    return {"checkpoint": manager.release(), "released": True}


@registry.op("session.restore")
def session_restore(ctx):
    """Bring the request's session back from its newest readable checkpoint (the broker
    replays its journal after it). Needs a session context."""
    wanted = ctx.request_session
    if wanted is None:
        raise OpError("bad_session", "session.restore needs a session context naming the session to restore")
    return _manager(ctx).restore(wanted, ctx.request_connection)


@registry.op("session.status")
def session_status(ctx):
    import bpy

    manager = _manager(ctx)
    status = manager.status()
    # The open file as Blender sees it: what Ctrl-S would write, and whether it has unsaved changes.
    status["file"] = {"path": bpy.data.filepath or None, "unsaved_changes": bool(bpy.data.is_dirty)}
    if manager.home is not None:
        status["home_session"] = manager.home.session_id
        status["user_scene"] = manager.home.describe()
    return status
