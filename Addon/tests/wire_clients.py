"""Minimal clients for the addon's two wire protocols, written from the spec
(not from the addon's code) so the tests check the protocol, not themselves."""

import hashlib
import hmac
import itertools
import json
import secrets
import socket
import struct

# A safety net against hangs, not a timing assertion.
SOCKET_TIMEOUT = 120.0


class ConnectionClosed(Exception):
    pass


def handshake_proof(token, label, first_nonce, second_nonce, port):
    """hex(HMAC-SHA256(key=token, msg=label + "\\n" + first + "\\n" + second + "\\n" + port)), as the wire spec says."""
    message = f"{label}\n{first_nonce}\n{second_nonce}\n{port}".encode("utf-8")
    return hmac.new(token.encode("utf-8"), message, hashlib.sha256).hexdigest()


def expected_addon_proof(token, client_nonce, server_nonce, port):
    return handshake_proof(token, "bmcp-addon-proof", client_nonce, server_nonce, port)


def client_proof(token, server_nonce, client_nonce, port):
    return handshake_proof(token, "bmcp-bridge-proof", server_nonce, client_nonce, port)


class FramedClient:
    """v2: 4-byte big-endian length + UTF-8 JSON object."""

    def __init__(self, address, timeout=SOCKET_TIMEOUT):
        self.sock = socket.create_connection(address, timeout=timeout)
        self.port = address[1]  # what this client dialled: bound into the handshake's proofs
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""
        self._ids = itertools.count(1)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self.sock.close()

    # -- raw frames --

    @staticmethod
    def encode(message):
        payload = json.dumps(message).encode("utf-8")
        return struct.pack(">I", len(payload)) + payload

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, message):
        self.sock.sendall(self.encode(message))

    def _read_exactly(self, size):
        while len(self._buffer) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionClosed(f"connection closed with {len(self._buffer)} of {size} bytes read")
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def receive(self):
        (size,) = struct.unpack(">I", self._read_exactly(4))
        return json.loads(self._read_exactly(size).decode("utf-8"))

    def is_closed_by_peer(self):
        """True once the server closed the connection (after any pending bytes)."""
        try:
            while True:
                self.receive()
        except (ConnectionClosed, ConnectionResetError):
            return True

    # -- conversation --

    def hello(self, token=None, client="pytest", protocol=2, check_addon_proof=True):
        """The client side of the v2 greeting; returns the addon's last answer.

        The hello always carries a fresh nonce. If the addon answers with a
        challenge, it is kept in `self.challenge` and answered with a proof made
        from `token` (None: the challenge itself is returned, unanswered). With
        check_addon_proof the addon's own proof must match `token`, as a bridge
        demands before it answers.
        """
        self.nonce = secrets.token_hex(32)
        self.send({"type": "hello", "protocol": protocol, "client": client, "nonce": self.nonce})
        answer = self.receive()
        self.challenge = None
        if answer.get("type") != "challenge" or token is None:
            return answer
        self.challenge = answer
        if check_addon_proof:
            expected = expected_addon_proof(token, self.nonce, answer["nonce"], self.port)
            assert answer["proof"] == expected, f"the addon's proof does not match the token: {answer}"
        self.send({"type": "auth", "proof": client_proof(token, answer["nonce"], self.nonce, self.port)})
        return self.receive()

    def next_id(self):
        return f"r{next(self._ids)}"

    def request(self, op, params=None, request_id=None, session=None):
        """Send one request (with a session context, if given) and return the frame answering it."""
        request_id = request_id or self.next_id()
        message = {"type": "request", "id": request_id, "op": op}
        if params is not None:
            message["params"] = params
        if session is not None:
            message["session"] = session
        self.send(message)
        answer = self.receive()
        assert answer.get("id") == request_id, f"answer to another id: {answer}"
        return answer

    def call(self, op, params=None):
        """Request and return the result, failing the test on an error frame."""
        answer = self.request(op, params)
        assert answer["type"] == "reply", f"{op} failed: {answer}"
        # Imported here: this module stays a plain protocol client for the fuzzers too.
        from result_shapes import check_result

        check_result(op, answer["result"])
        return answer["result"]


class V1Client:
    """V1: one bare JSON object each way, no framing."""

    def __init__(self, address, timeout=SOCKET_TIMEOUT, source_address=None):
        self.sock = socket.create_connection(address, timeout=timeout, source_address=source_address)
        self._buffer = b""
        self._decoder = json.JSONDecoder()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def receive(self):
        """Read until the buffer holds one complete JSON value, like a V1 server does."""
        while True:
            text = self._buffer.decode("utf-8", errors="strict") if self._buffer else ""
            try:
                value, end = self._decoder.raw_decode(text)
                self._buffer = text[end:].encode("utf-8")
                return value
            except json.JSONDecodeError:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionClosed(f"connection closed; unparsed bytes: {self._buffer!r}")
                self._buffer += chunk

    def command(self, command, params=None):
        message = {"type": command, "params": params or {}}
        self.sock.sendall(json.dumps(message).encode("utf-8"))
        return self.receive()

    def leftover(self):
        return self._buffer
