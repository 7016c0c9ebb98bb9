"""Shapes and checks of v2 protocol messages (pure Python, no bpy, no sockets).

The Swift bridge implements the other side of these exact shapes, so every
reply and error frame is built here and nowhere else.
"""

import secrets
from dataclasses import dataclass

from . import handshake
from .session_context import BadSession, parse_session_context
from .values import describe_value, type_label  # noqa: F401  (protocol.describe_value is used by callers)

PROTOCOL_VERSION = 2
SERVER_NAME = "bmcp-addon"
ADDON_VERSION = "2.0.0"
# This Blender process, for the broker: a Blender restarted on the same address (a compose
# worker brought back by its restart policy) holds none of the scenes the old one did, and the
# broker tells the two apart by this, not by the address.
BOOT_ID = secrets.token_hex(8)


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


def hello_reply(blender_version, mode, home=None):
    """`home` ({"id", "name"}): a GUI Blender's home session, the user's own scene."""
    frame = {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "server": SERVER_NAME,
        "addon_version": ADDON_VERSION,
        "blender_version": blender_version,
        "mode": mode,
        "boot": BOOT_ID,
    }
    if home:
        frame["home_session"] = home["id"]
        frame["home_name"] = home["name"]
    return frame


def check_hello(frame):
    """Validate the first frame of a v2 connection; raise ProtocolError(close=True) if refused.

    Tokens are not checked here: a `token` field is ignored (never compared), the
    token is proven in the challenge that follows (Greeting)."""
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


def challenge_frame(server_nonce, proof):
    return {"type": "challenge", "protocol": PROTOCOL_VERSION, "nonce": server_nonce, "proof": proof}


NO_NONCE = (
    "this addon requires a token: send a nonce in the hello and answer the challenge "
    "(tokens are never sent in the clear)"
)
WRONG_PROOF = "the client's proof does not match this addon's token"
_AUTH_SHAPE = 'the frame answering the challenge must be {"type":"auth","proof":...}'


def unauthorized(message):
    return ProtocolError("unauthorized", message, close=True)


class Greeting:
    """The v2 greeting of one connection, a small state machine fed one frame at a time.

    Without a token: hello -> hello reply; greeted.
    With a token:    hello (with the client's nonce) -> challenge (the addon's nonce and
                     proof); auth (the client's proof) -> hello reply; greeted.
    Every refusal is a ProtocolError with close=True. Nothing but a right proof
    greets a connection to a token-holding addon, so no request runs before it.
    """

    def __init__(self, token, hello_reply_frame, port, new_nonce=handshake.new_nonce):
        """`port`: the addon's port this connection arrived on (bound into both proofs)."""
        self._token = token
        self._port = port
        self._hello_reply = hello_reply_frame
        self._new_nonce = new_nonce
        self._expected_proof = None  # the client's proof, once the challenge is out
        self.greeted = False
        self.client = "?"

    @property
    def challenged(self):
        return self._expected_proof is not None

    def on_frame(self, frame):
        """The frame that answers `frame` (challenge or hello reply), or ProtocolError."""
        if self.challenged:
            return self._on_auth(frame)
        return self._on_hello(frame)

    def unreadable(self, detail):
        """The refusal of a frame that is not JSON, before the greeting is done."""
        if self.challenged:
            return unauthorized(f"{_AUTH_SHAPE}, got invalid JSON: {detail}")
        return ProtocolError(
            "hello_required", f"the first frame must be a hello, got invalid JSON: {detail}", close=True
        )

    def _on_hello(self, frame):
        check_hello(frame)
        client = frame.get("client")
        self.client = client[:100] if isinstance(client, str) else "?"
        if not self._token:
            self.greeted = True
            return self._hello_reply
        client_nonce = frame.get("nonce")
        if client_nonce is None:
            raise unauthorized(NO_NONCE)
        problem = handshake.nonce_problem(client_nonce)
        if problem is not None:
            raise unauthorized(f"{problem}; send 32 random bytes as 64 lowercase hex characters")
        server_nonce = self._new_nonce()
        self._expected_proof = handshake.bridge_proof(self._token, server_nonce, client_nonce, self._port)
        return challenge_frame(server_nonce, handshake.addon_proof(self._token, client_nonce, server_nonce, self._port))

    def _on_auth(self, frame):
        if not isinstance(frame, dict) or frame.get("type") != "auth":
            got = f"a frame of type {frame.get('type')!r}" if isinstance(frame, dict) else describe_value(frame)
            raise unauthorized(f"{_AUTH_SHAPE}, got {got}")
        if not handshake.proof_matches(self._expected_proof, frame.get("proof")):
            raise unauthorized(WRONG_PROOF)
        self.greeted = True
        return self._hello_reply


FRAME_TYPES = ("request", "ping")


@dataclass(frozen=True)
class Request:
    id: str
    op: str
    params: dict
    session: object = None  # a session_context.SessionContext, or None
    tool: str = None  # the MCP tool behind the request (names the GUI undo step)


def parse_request(frame, data_dir=None):
    """Return the Request in a request frame, or raise ProtocolError (bad_frame,
    bad_params, bad_session). `data_dir` is BMCP_DATA, which bounds session dirs."""
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
    tool = frame.get("tool")
    return Request(request_id, op, params, session, tool if isinstance(tool, str) and tool else None)


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
