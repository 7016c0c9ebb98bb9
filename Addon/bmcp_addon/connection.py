"""Connection: the state of one TCP connection, V1 or v2.

Reading and protocol handling happen on the network thread. Replies are
produced on the main thread and written with send_bytes(), which is safe from
any thread. Only the network thread closes the socket (AddonServer._close), so
the selector never watches a closed descriptor.
"""

import collections
import logging
import socket
import threading
import time
from functools import partial

from . import protocol, v1
from .addresses import is_loopback
from .framing import FrameReader, FrameTooLarge, V1Reader, V1TooLarge, decode_payload, encode_frame, encode_json
from .protocol import ProtocolError
from .settings import data_dir

log = logging.getLogger("bmcp_addon")

_RECV_SIZE = 256 * 1024
# Stop reading from a peer that does not read its replies once this much is queued.
_HIGH_WATER = 32 * 1024 * 1024
_SEND_FLAGS = getattr(socket, "MSG_NOSIGNAL", 0)


class Connection:
    def __init__(self, server, sock, peer):
        self.server = server
        self.sock = sock
        self.fileno = sock.fileno()
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self._peer_is_loopback = isinstance(peer, tuple) and is_loopback(peer[0])
        self.protocol = None  # "v1" or "v2", decided by the first byte
        self.greeted = False  # v2: only once the hello (and, with a token, the auth) succeeded
        self._greeting = None  # protocol.Greeting while a v2 connection greets
        self.closed = False
        self._reader = None
        self._out = bytearray()
        self._lock = threading.Lock()  # guards _out, _pending, closed, the socket's writes
        self._pending = 0  # requests handed to the main thread, not yet answered
        self._close_requested = False
        self._peer_gone = False
        self._v1_broken = False  # no more V1 input is read (malformed, or refused)
        self._v1_refused = False  # V1 is not served to this peer: queued messages are dropped
        self._last_activity = self.connected_at = time.monotonic()
        # Received messages (v2 frame bodies, parsed V1 messages) not yet handed to the main
        # thread, because this connection already has max_pending_jobs there (backpressure).
        self._inbox = collections.deque()
        # Set by the server for a connection over BMCP_MAX_ADDON_CONNECTIONS: it is answered
        # with this refusal in its own protocol, then closed.
        self.refusal = None

    # -- state the server's selector loop asks about ----------------------------

    @property
    def wants_read(self):
        if self._close_requested or self._peer_gone or len(self._out) >= _HIGH_WATER:
            return False
        # A full queue stops the reading, so the kernel's buffers and then the peer hold the rest.
        return not self._inbox and self._has_room()

    def _has_room(self):
        return self._pending < self.server.settings.max_pending_jobs

    @property
    def awaiting_hello(self):
        """v2 (or not yet known) and not greeted; V1 has no hello to wait for. A peer that has
        sent nothing yet is not waited on while V1 is allowed: V1 clients (the popular Blender
        MCP servers) connect at start and speak at their first tool call, minutes later. It
        holds no buffer meanwhile, and BMCP_MAX_ADDON_CONNECTIONS still counts it."""
        # (Read from settings, not v1_allowed(): this runs on the network thread, and the GUI's
        # preference is bpy data; a GUI Blender is where V1 clients are the usual case.)
        if self.protocol is None and (self.server.settings.allow_v1 or self.server.mode == "gui"):
            return False
        return not self.greeted and self.protocol != "v1"

    @property
    def wants_write(self):
        return bool(self._out) and not self._peer_gone

    @property
    def finished(self):
        return self._peer_gone or (self._close_requested and not self._out)

    def idle_since(self, now):
        with self._lock:
            if self._pending:
                return 0.0  # a long command is not idleness
            return now - self._last_activity

    # -- reading (network thread) -----------------------------------------------

    def on_readable(self):
        try:
            data = self.sock.recv(_RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            log.info("bmcp_addon: %s read failed: %s", self.peer, exc)
            data = b""
        if not data:
            self._peer_gone = True
            return
        self._last_activity = time.monotonic()
        if self.protocol is None:
            self._choose_protocol(data)
            if self.refusal is not None:
                self._refuse()
                return
        self._inbox.extend(self._reader.feed(data))
        self.take_inbox()

    def _refuse(self):
        log.warning("bmcp_addon: %s refused: %s", self.peer, self.refusal)
        if self.protocol == "v1":
            self._queue_bytes(encode_json(v1.failure(self.refusal)))
        else:
            self._queue_frame(protocol.error_frame("too_many_connections", self.refusal))
        self._close_requested = True
        self.flush()

    def take_inbox(self):
        """Network thread: hand received messages on while the main-thread queue has room
        for this connection, then act on a broken stream once everything before it is handled."""
        while self._inbox and not self._close_requested and self._has_room():
            item = self._inbox.popleft()
            if self.protocol == "v1":
                self._on_v1_message(item)
            else:
                self._on_v2_body(item)
        if not self._inbox and self._reader is not None and self._reader.error is not None:
            self._on_broken_stream(self._reader.error)
        self.flush()

    def _choose_protocol(self, data):
        # A v2 length header starting with 0x7B would announce a 2 GB frame,
        # so a leading '{' can only be V1's bare JSON.
        settings = self.server.settings
        if self.refusal is not None:
            self.protocol = "v1" if data[:1] == b"{" else "v2"  # only to answer in the right form
            return
        if data[:1] == b"{":
            self.protocol = "v1"
            log.info("bmcp_addon: %s speaks V1 (bare JSON)", self.peer)
            self._reader = V1Reader(settings.max_message)
            # Queued ahead of every V1 message, so none runs before it; on the main
            # thread because the GUI's preference checkbox is bpy data.
            self.server.executor.submit(self._admit_v1)
        else:
            self.protocol = "v2"
            self._reader = FrameReader(settings.max_message)
            # home_fields is replaced whole by the main thread when the user's file changes.
            hello_reply = protocol.hello_reply(self.server.blender_version, self.server.mode, self.server.home_fields)
            self._greeting = protocol.Greeting(settings.token, hello_reply, port=self._local_port())

    def hello_overdue(self):
        """Network thread: BMCP_HELLO_TIMEOUT passed without a finished hello; close, and tell a
        v2 peer why (a silent peer's protocol is unknown, so it is only logged)."""
        limit = self.server.settings.hello_timeout
        reason = f"no hello within {limit:g} s of connecting (BMCP_HELLO_TIMEOUT={limit:g})"
        log.warning("bmcp_addon: closing %s: %s", self.peer, reason)
        if self.protocol == "v2" and not self._close_requested:
            self._queue_frame(protocol.error_frame("hello_timeout", reason))
        self._close_requested = True
        with self._lock:
            self._flush_locked()
            self._out.clear()  # what the peer does not take now is not kept for it

    def _local_port(self):
        """The addon's port as this connection reached it (what the client dialled)."""
        try:
            return self.sock.getsockname()[1]
        except (OSError, IndexError, TypeError):
            return 0

    def _on_v2_body(self, body):
        try:
            self._on_v2_frame(body)
        except ProtocolError as exc:
            self._queue_frame(exc.frame())
            if exc.close:
                self._close_requested = True

    def _on_broken_stream(self, error):
        if self.protocol == "v1":
            if not self._v1_broken:
                log.warning("bmcp_addon: closing V1 %s: %s", self.peer, error)
                self._end_v1(str(error) if isinstance(error, V1TooLarge) else f"malformed JSON: {error}")
        elif not self._close_requested:
            # The frame's id lies in the body the reader refused to buffer, so nobody can be
            # answered by id, and the stream cannot be trusted past the header: close.
            log.warning("bmcp_addon: closing %s: %s", self.peer, error)
            self._queue_frame(protocol.error_frame("too_large", str(error)))
            self._close_requested = True

    def _on_v2_frame(self, body):
        try:
            frame = decode_payload(body)
        except ValueError as exc:
            if not self.greeted:
                raise self._greeting.unreadable(exc) from None
            raise ProtocolError("bad_json", f"frame is not valid JSON: {exc}") from None
        if not self.greeted:
            self._on_greeting_frame(frame)
            return
        kind = protocol.frame_type(frame)
        if kind == "ping":
            self._queue_frame({"type": "pong", "id": frame.get("id")})
            return
        request = protocol.parse_request(frame, data_dir())
        with self._lock:
            self._pending += 1
        self.server.executor.submit(partial(self._answer_request, request))

    def _on_greeting_frame(self, frame):
        try:
            answer = self._greeting.on_frame(frame)
        except ProtocolError as exc:
            log.warning("bmcp_addon: %s refused (%s): %s", self.peer, exc.code, exc.message)
            raise
        if self._greeting.greeted:
            self.greeted = True
            log.info("bmcp_addon: %s hello from client %r", self.peer, self._greeting.client)
        self._queue_frame(answer)

    def _on_v1_message(self, message):
        if self._v1_broken:
            return  # refused: nothing more is served
        with self._lock:
            self._pending += 1
        self.server.executor.submit(partial(self._answer_v1, message))

    def _end_v1(self, reason):
        self._v1_broken = True
        # Through the executor, so answers to messages before the bad bytes
        # still go out first and in order; then the connection closes.
        data = encode_json(v1.failure(reason))
        self.server.executor.submit(partial(self._send_last_v1, data))

    # -- answering (main thread) -------------------------------------------------

    def _answer_request(self, request):
        try:
            if self.closed or self._peer_gone:
                return  # nobody is left to read the result
            frame = self.server.answer_request(request, self)
            self.send_bytes(self._encode_answer(frame, request))
        finally:
            self._job_done()

    def _encode_answer(self, frame, request):
        """The frame's bytes, or those of the error that replaces an answer unfit to send."""
        try:
            return encode_frame(frame, self.server.settings.max_message)
        except FrameTooLarge as exc:
            # One oversized answer must not cost the link: the peer would have to drop it.
            log.warning("bmcp_addon: %s: %s %s: %s", self.peer, request.op, request.id, exc)
            return encode_frame(protocol.error_frame("too_large", f"{request.op}: {exc}", request.id))
        except (TypeError, ValueError, RecursionError) as exc:
            return encode_frame(
                protocol.error_frame(
                    "command_failed",
                    f"{request.op}: result is not JSON: {type(exc).__name__}: {exc}",
                    request.id,
                )
            )

    def _job_done(self):
        with self._lock:
            self._pending -= 1
            resume = bool(self._inbox) or self._pending == self.server.settings.max_pending_jobs - 1
        if resume:
            self.server.mark_dirty(self)  # the network thread reads (and takes the inbox) again

    def _admit_v1(self):
        """Main thread, before any V1 message: refuse the connection unless V1 is allowed."""
        reason = v1.refusal(self.server.v1_allowed(), self._peer_is_loopback, self.peer)
        if reason is None:
            return
        log.warning("bmcp_addon: %s refused V1: %s", self.peer, reason)
        self._v1_refused = self._v1_broken = True
        self._send_last(encode_json(v1.failure(reason)))

    def _answer_v1(self, message):
        try:
            if self.closed or self._peer_gone or self._v1_refused:
                return
            reply = self.server.run_v1(message)
            try:
                data = encode_json(reply, self.server.settings.max_message)
            except FrameTooLarge as exc:
                log.warning("bmcp_addon: %s: V1 %s", self.peer, exc)
                data = encode_json(v1.failure(str(exc)))
            except (TypeError, ValueError, RecursionError) as exc:
                data = encode_json(v1.failure(f"result is not JSON: {type(exc).__name__}: {exc}"))
            self.send_bytes(data)
        finally:
            self._job_done()

    def _send_last_v1(self, data):
        if not self._v1_refused:  # a refused connection has had its one answer
            self._send_last(data)

    def _send_last(self, data):
        self.send_bytes(data)
        self._close_requested = True
        self.server.mark_dirty(self)

    # -- writing (any thread) ---------------------------------------------------

    def send_frame(self, frame):
        """Main thread: an unsolicited frame (an event) for a greeted v2 peer."""
        if self.protocol == "v2" and self.greeted:
            try:
                self.send_bytes(encode_frame(frame, self.server.settings.max_message))
            except FrameTooLarge as exc:
                log.warning("bmcp_addon: %s: event %s not sent: %s", self.peer, frame.get("name"), exc)

    def _queue_frame(self, frame):
        self._queue_bytes(encode_frame(frame))

    def _queue_bytes(self, data):
        """Network thread: buffer output; on_readable flushes once per chunk read."""
        with self._lock:
            if not self.closed:
                self._out += data

    def send_bytes(self, data):
        """Write now as far as the socket allows; the network thread sends the rest."""
        with self._lock:
            if self.closed or self._peer_gone:
                return
            self._out += data
            self._flush_locked()
            self._last_activity = time.monotonic()
            needs_network_thread = bool(self._out) or self._peer_gone
        if needs_network_thread:
            self.server.mark_dirty(self)

    def flush(self):
        with self._lock:
            self._flush_locked()

    def _flush_locked(self):
        while self._out and not self.closed:
            try:
                sent = self.sock.send(self._out, _SEND_FLAGS)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.info("bmcp_addon: %s write failed: %s", self.peer, exc)
                self._peer_gone = True
                self._out.clear()
                return
            del self._out[:sent]

    def close(self):
        """Network thread only, after the socket left the selector."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            self._out.clear()
        try:
            self.sock.close()
        except OSError:
            pass
