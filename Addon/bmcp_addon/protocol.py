"""Shapes and checks of v2 protocol messages (pure Python, no bpy, no sockets).

The Swift bridge implements the other side of these exact shapes, so every
reply and error frame is built here and nowhere else.
"""

import hmac
from dataclasses import dataclass

PROTOCOL_VERSION = 2
SERVER_NAME = "bmcp-addon"
ADDON_VERSION = "2.0.0"


class ProtocolError(Exception):
    """A client mistake answered with an error frame.

    `close` says whether the connection must be dropped after the error is sent.
    """

    def __init__(self, code, message, request_id=None, close=False):
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id
        self.close = close

    def frame(self):
        return error_frame(self.code, self.message, self.request_id)


def error_frame(code, message, request_id=None, **details):
    error = {"code": code, "message": message}
    error.update(details)
    return {"type": "error", "id": request_id, "error": error}


def reply_frame(request_id, result):
    return {"type": "reply", "id": request_id, "result": result}


def event_frame(name, **fields):
    """An unsolicited frame, e.g. session.checkpointed; it has no request id."""
    frame = {"type": "event", "name": name}
    frame.update(fields)
    return frame


def hello_reply(blender_version, mode):
    return {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "server": SERVER_NAME,
        "addon_version": ADDON_VERSION,
        "blender_version": blender_version,
        "mode": mode,
    }


def describe_value(value, limit=60):
    """`int 42`, `str 'abc'`: what the client sent, for error messages."""
    kind = type_label(value)
    shown = repr(value)
    if len(shown) > limit:
        shown = shown[: limit - 3] + "..."
    return f"{kind} {shown}" if value is not None else "null"


def type_label(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def check_hello(frame, server_token):
    """Validate the first frame of a v2 connection; raise ProtocolError(close=True) if refused."""
    if not isinstance(frame, dict) or frame.get("type") != "hello":
        got = f"a frame of type {frame.get('type')!r}" if isinstance(frame, dict) else describe_value(frame)
        raise ProtocolError(
            "hello_required",
            f'the first frame must be {{"type":"hello","protocol":{PROTOCOL_VERSION},...}}, got {got}',
            close=True,
        )
    protocol = frame.get("protocol")
    if protocol != PROTOCOL_VERSION or isinstance(protocol, bool):
        raise ProtocolError(
            "unsupported_protocol",
            f"this addon speaks protocol {PROTOCOL_VERSION} only; hello asked for {describe_value(protocol)}",
            close=True,
        )
    if server_token:
        token = frame.get("token")
        # Constant-time compare so the token cannot be guessed byte by byte.
        if not isinstance(token, str) or not hmac.compare_digest(
            token.encode("utf-8"), server_token.encode("utf-8")
        ):
            reason = "no token given" if token is None else "the token does not match"
            raise ProtocolError(
                "unauthorized", f"this addon requires a token ({reason})", close=True
            )


FRAME_TYPES = ("request", "ping")


@dataclass(frozen=True)
class Request:
    id: str
    op: str
    params: dict
    session: object = None  # a session_context.SessionContext, or None


def parse_request(frame, data_dir=None):
    """Return the Request in a request frame, or raise ProtocolError (bad_frame,
    bad_params, bad_session). `data_dir` is BMCP_DATA, which bounds session dirs."""
    # Imported here: session_context imports describe_value from this module.
    from .session_context import BadSession, parse_session_context

    request_id = frame.get("id")
    if not isinstance(request_id, str):
        raise ProtocolError(
            "bad_frame", f"request needs a string 'id', got {describe_value(request_id)}"
        )
    op = frame.get("op")
    if not isinstance(op, str) or not op:
        raise ProtocolError(
            "bad_frame", f"request needs a string 'op', got {describe_value(op)}", request_id
        )
    params = frame.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ProtocolError(
            "bad_params",
            f"{op}: 'params' must be an object, got {describe_value(params)}",
            request_id,
        )
    try:
        session = parse_session_context(frame.get("session"), data_dir)
    except BadSession as exc:
        raise ProtocolError("bad_session", str(exc), request_id) from None
    return Request(request_id, op, params, session)


def frame_type(frame):
    """Return the type of an already-greeted frame, or raise ProtocolError('bad_frame')."""
    if not isinstance(frame, dict):
        raise ProtocolError("bad_frame", f"a frame must be a JSON object, got {describe_value(frame)}")
    # Echo a usable id so the client can still match the error to what it sent.
    request_id = frame.get("id") if isinstance(frame.get("id"), str) else None
    kind = frame.get("type")
    if kind is None:
        raise ProtocolError(
            "bad_frame", "frame has no 'type' (expected one of: request, ping)", request_id
        )
    if kind == "hello":
        raise ProtocolError("bad_frame", "hello was already done on this connection", request_id)
    if kind not in FRAME_TYPES:
        raise ProtocolError(
            "bad_frame",
            f"unknown frame type {describe_value(kind)} (expected one of: request, ping)",
            request_id,
        )
    return kind
