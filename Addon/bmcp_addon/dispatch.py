"""Turns one request into one answer frame on the main thread: activates the
request's session, runs the op, marks the session dirty after changes and
adds the reply's `session` block.

Requests without a session context (V1 clients, tools) act on whatever scene
is loaded; their changes still count against the resident session.
"""

import traceback

from . import protocol
from .ops_history import push_step
from .registry import OpError

# Errors that mean a mutating op refused before touching anything.
_CLEAN_REFUSALS = frozenset(
    {"bad_params", "unknown_op", "not_found", "already_exists", "code_disabled", "path_not_allowed",
     "not_available_headless", "nothing_to_undo", "nothing_to_redo"}
)
# Session ops that must not first make the request's session resident:
# releasing or asking about a session is no reason to load it.
_NON_ACTIVATING = frozenset({"session.release", "session.status", "session.restore"})
# Mutating ops that must not be followed by an automatic undo step: undo/redo
# themselves (a push would drop the redo history) and file loads (they reset it).
_NO_UNDO_STEP = frozenset({"history.undo", "history.redo", "file.open"})


class RequestDispatcher:
    def __init__(self, registry, context):
        self.registry = registry
        self.context = context  # ops_common.OpContext

    @property
    def sessions(self):
        return self.context.sessions

    def run_op(self, op, params, tool=None):
        """Run one op; mark the session dirty if it changed (or may have changed) the scene.
        `tool` (the MCP tool that sent it, if any) names the undo step."""
        mutates = self.registry.mutates(op)
        if self.context.mode == "gui":
            from .home_scene import reassert_unsaved  # imports bpy: only inside a GUI Blender
            reassert_unsaved()
        try:
            result = self.registry.run(op, params, self.context)
        except OpError as exc:
            if mutates and exc.code not in _CLEAN_REFUSALS:
                self._after_change(op, tool)
            raise
        except Exception:
            if mutates:
                self._after_change(op, tool)
            raise
        if mutates or (isinstance(result, dict) and "changed" in result):
            self._after_change(op, tool)
        return result

    def _after_change(self, op, tool=None):
        if self.sessions is not None:
            self.sessions.mark_dirty()
        if self.context.mode == "gui" and op not in _NO_UNDO_STEP:
            # One undo step per MCP command, named after the tool the user's client called,
            # so Edit > Undo History reads like the conversation.
            push_step(f"MCP: {tool}" if tool else f"bmcp {op}")

    def answer(self, request, connection=None):
        """The reply or error frame for a protocol.Request. Never raises."""
        sessions = self.sessions
        activation = None
        session_context = request.session
        if sessions is not None:
            sessions.written.clear()
        self.context.request_session = session_context
        self.context.request_connection = connection
        try:
            if session_context is not None:
                if sessions is None:
                    raise OpError("bad_session", "sessions are not available in this addon instance")
                if request.op not in _NON_ACTIVATING:
                    activation = sessions.enter(session_context, connection)
            frame = protocol.reply_frame(request.id, self.run_op(request.op, request.params, request.tool))
            if session_context is not None and session_context.journal_seq:
                sessions.note_applied(session_context)
        except OpError as exc:
            frame = protocol.error_frame(exc.code, exc.message, request.id, **exc.details)
        except Exception as exc:
            frame = protocol.error_frame(
                "command_failed",
                f"{type(exc).__name__}: {exc}",
                request.id,
                traceback=traceback.format_exc(),
            )
        finally:
            self.context.request_session = None
            self.context.request_connection = None
        if sessions is None or session_context is None:
            return frame
        if activation is not None or request.op in _NON_ACTIVATING:
            frame["session"] = {
                "id": session_context.id,
                "activated": bool(activation and activation.activated),
                "restored_from": activation.restored_from if activation else None,
                "checkpoint": sessions.written.get(session_context.id),
            }
            if activation is not None and activation.user_scene_checkpoint:
                frame["session"]["user_scene_checkpoint"] = activation.user_scene_checkpoint
        return frame

