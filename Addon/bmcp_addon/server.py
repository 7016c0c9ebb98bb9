"""Networking: the listening socket and one network thread multiplexing all
connections with `selectors`.

The network thread reads, splits frames, answers hello and ping itself and
hands requests to the main-thread executor, so a long command never stops
other connections from being read (or pinged). Replies are written straight
from the main thread when the socket accepts them; whatever does not fit is
left for the network thread to flush.

No bpy here: the server is given `answer_request(request, connection)` (which
returns the reply or error frame), `run_v1(message)` and `v1_allowed()`
callables that the executor runs on the main thread.
"""

import logging
import selectors
import socket
import threading
import time

from .connection import Connection

log = logging.getLogger("bmcp_addon")

# How often the loop wakes by itself to look for idle connections.
_MAX_SELECT_WAIT = 1.0


class AddonServer:
    def __init__(self, settings, *, mode, blender_version, executor, answer_request, run_v1, v1_allowed):
        self.settings = settings
        # Main thread, once per V1 connection: may V1 be served now (settings or GUI preference)?
        self.v1_allowed = v1_allowed
        self.mode = mode
        self.blender_version = blender_version
        # GUI: {"id", "name"} of the home session (the user's scene), sent in the hello.
        self.home_fields = None
        self.executor = executor
        self.answer_request = answer_request
        self.run_v1 = run_v1
        self._selector = None
        self._listener = None
        self._thread = None
        self._stopping = threading.Event()
        self._connections = {}
        # Connections whose selector interest (read/write) must be recomputed;
        # filled from any thread, applied by the network thread only.
        self._dirty = set()
        self._dirty_lock = threading.Lock()
        self._wake_reader, self._wake_writer = socket.socketpair()

    # -- lifecycle (called from the main thread) ------------------------------

    def start(self):
        """Bind and start the network thread. Raises OSError if the address is unusable."""
        try:
            self._listener = _listen(self.settings.host, self.settings.port)
        except OSError:
            self._wake_reader.close()
            self._wake_writer.close()
            raise
        self._listener.setblocking(False)
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, "listener")
        self._selector.register(self._wake_reader, selectors.EVENT_READ, "wake")
        self._thread = threading.Thread(target=self._run, name="bmcp-network", daemon=True)
        self._thread.start()

    @property
    def address(self):
        host, port = self._listener.getsockname()[:2]
        return host, port

    def stop(self, timeout=5.0):
        self._stopping.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("bmcp_addon: network thread did not stop within %.1f s", timeout)
        self._wake_reader.close()
        self._wake_writer.close()

    def connection_count(self):
        return len(self._connections)

    # -- called by connections, from any thread --------------------------------

    def wake(self):
        try:
            self._wake_writer.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # a full wake pipe already guarantees a wake-up

    def mark_dirty(self, connection):
        with self._dirty_lock:
            self._dirty.add(connection)
        self.wake()

    # -- the network thread ----------------------------------------------------

    def _run(self):
        try:
            while not self._stopping.is_set():
                for key, mask in self._selector.select(self._select_wait()):
                    self._dispatch(key, mask)
                self._apply_dirty()
                self._close_idle()
        except Exception:
            log.exception("bmcp_addon: network thread crashed")
        finally:
            self._shutdown()

    def _select_wait(self):
        idle = self.settings.idle_timeout
        wait = min(_MAX_SELECT_WAIT, self.settings.hello_timeout / 4)
        return min(wait, idle / 4) if idle else wait

    def _dispatch(self, key, mask):
        if key.data == "listener":
            self._accept()
        elif key.data == "wake":
            try:
                while self._wake_reader.recv(4096):
                    pass
            except (BlockingIOError, InterruptedError):
                pass
        else:
            connection = key.data
            self._guarded(connection, self._on_events, connection, mask)

    @staticmethod
    def _on_events(connection, mask):
        if mask & selectors.EVENT_WRITE:
            connection.flush()
        if mask & selectors.EVENT_READ and not connection.closed:
            connection.on_readable()

    def _guarded(self, connection, work, *arguments):
        """Run work(*arguments) for one connection, then update its selector interest."""
        try:
            work(*arguments)
        except Exception:
            # A bug met by one connection must not take the others down.
            log.exception("bmcp_addon: dropping %s after an internal error", connection.peer)
            self._close(connection)
            return
        self._apply_one(connection)

    def _accept(self):
        while True:
            try:
                sock, peer = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("bmcp_addon: accept failed: %s", exc)
                return
            sock.setblocking(False)
            # Frames are small and latency-bound: never let Nagle hold them back.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = Connection(self, sock, peer)
            if not self._admit(connection):
                continue
            log.info("bmcp_addon: %s connected", connection.peer)
            self._connections[sock.fileno()] = connection
            self._selector.register(sock, selectors.EVENT_READ, connection)

    def _admit(self, connection):
        """False (and closed) when even a refusal has no room; a connection over the cap is
        kept just long enough to be told why in its own protocol (refusal, then close)."""
        cap = self.settings.max_connections
        count = len(self._connections)
        if count < cap:
            return True
        if count >= 2 * cap:
            # The refusals themselves are bounded: past twice the cap, no explanation.
            log.warning(
                "bmcp_addon: %s closed at once: %d connections open (BMCP_MAX_ADDON_CONNECTIONS=%d)",
                connection.peer, count, cap)
            connection.close()
            return False
        connection.refusal = (
            f"this addon serves at most {cap} connections at once (BMCP_MAX_ADDON_CONNECTIONS={cap}): "
            "close one, or raise the setting"
        )
        return True

    def _apply_dirty(self):
        with self._dirty_lock:
            dirty, self._dirty = self._dirty, set()
        for connection in dirty:
            if not connection.closed:
                # A job finished: the connection may have room for what it holds back.
                self._guarded(connection, connection.take_inbox)

    def _apply_one(self, connection):
        """Bring the selector in line with what the connection needs now."""
        if connection.closed:
            return
        if connection.finished:
            self._close(connection)
            return
        events = 0
        if connection.wants_read:
            events |= selectors.EVENT_READ
        if connection.wants_write:
            events |= selectors.EVENT_WRITE
        try:
            current = self._selector.get_key(connection.sock).events
        except KeyError:
            return
        if events and events != current:
            self._selector.modify(connection.sock, events, connection)

    def _close_idle(self):
        now = time.monotonic()
        limit = self.settings.idle_timeout
        for connection in list(self._connections.values()):
            if connection.closed:
                continue
            if connection.awaiting_hello and now - connection.connected_at > self.settings.hello_timeout:
                self._guarded(connection, connection.hello_overdue)
            elif limit and connection.idle_since(now) > limit:
                log.info("bmcp_addon: closing %s after %.0f s without traffic", connection.peer, limit)
                self._close(connection)

    def _close(self, connection):
        if self._connections.pop(connection.fileno, None) is not None:
            log.info("bmcp_addon: %s disconnected", connection.peer)
        try:
            self._selector.unregister(connection.sock)
        except (KeyError, ValueError):
            pass
        connection.close()

    def _shutdown(self):
        for connection in list(self._connections.values()):
            self._close(connection)
        for sock in (self._listener, self._wake_reader):
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
        self._listener.close()
        self._selector.close()


def listen_address(host, port):
    """(family, socket address) the addon binds for host:port: the first that host resolves to."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    return family, address


def _listen(host, port):
    """A listening TCP socket on host:port (IPv4 or IPv6, whatever host resolves to)."""
    family, address = listen_address(host, port)
    # create_server sets SO_REUSEADDR only where it is safe (not on Windows).
    return socket.create_server(address, family=family, backlog=64)


def format_address(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
