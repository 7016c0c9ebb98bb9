"""A loopback TCP proxy the tests can cut, to drop an HTTP connection the way a network does."""

from __future__ import annotations

import socket
import threading


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to `target`; `cut()` resets every open connection.
    `requests` collects the first bytes of each client connection (request lines, headers)."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests: list[bytes] = []
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if from_client:
                    with self._lock:
                        self.requests.append(data[:2048])
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for end in pair:
                # shutdown() first: close() alone does not wake a thread blocked in recv(), so
                # the peer would never hear of it.
                for step in (lambda: end.shutdown(socket.SHUT_RDWR), end.close):
                    try:
                        step()
                    except OSError:
                        pass

    def close(self):
        self._closed = True
        self.listener.close()
        self.cut()
