"""Byte-level message boundaries for both wire protocols.

Pure Python on purpose (no bpy): the network thread uses it, and plain-Python
unit tests can exercise it without starting Blender.

v2: each frame is a 4-byte big-endian unsigned length N followed by N bytes of
UTF-8 JSON holding one object.
V1: no framing at all; the peer writes one bare JSON object and the reader has
to find where it ends.
"""

import json
import math
import re
import struct
import sys

HEADER = struct.Struct(">I")
# One limit for both directions, counted in JSON bytes (the length a v2 header announces).
# The Swift bridge reads the same setting, so neither side sends what the other refuses.
MAX_MESSAGE_SETTING = "BMCP_MAX_MESSAGE_BYTES"
DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024


def over_limit(what, size, limit):
    """The sentence every too_large error carries: the size, the limit and the setting."""
    return f"{what} of {size} bytes exceeds the limit of {limit} bytes ({MAX_MESSAGE_SETTING}={limit})"


class FrameTooLarge(Exception):
    def __init__(self, size, limit, what="incoming message"):
        super().__init__(over_limit(what, size, limit))
        self.size = size
        self.limit = limit


class V1SyntaxError(Exception):
    """The V1 byte stream can never become valid JSON, whatever arrives next."""


class V1TooLarge(V1SyntaxError):
    """A V1 message grew past the message limit before it ended: not malformed, too big."""


def encode_frame(message, limit=None):
    """Header and JSON bytes; FrameTooLarge when the JSON is longer than `limit`."""
    payload = encode_json(message, limit)
    return HEADER.pack(len(payload)) + payload


def encode_json(message, limit=None):
    """Strict JSON bytes: NaN and infinities (which Python would emit as bare
    NaN/Infinity tokens that strict peers cannot decode) become null.
    FrameTooLarge (what="reply") when longer than `limit`."""
    try:
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(_finite_only(message), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    data = text.encode("utf-8")
    if limit is not None and len(data) > limit:
        raise FrameTooLarge(len(data), limit, what="reply")
    return data


def _finite_only(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_only(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_only(item) for item in value]
    return value


def decode_payload(payload):
    """Turn one frame body into a Python value; raises ValueError with a readable detail."""
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return parse_json(text)
    except ValueError as exc:
        if not text.strip():
            raise ValueError("empty frame") from None
        raise ValueError(str(exc)) from None


def parse_json(text):
    """json.loads, raising ValueError only: CPython's parser raises RecursionError for nesting
    past the interpreter's recursion limit (and ValueError, not JSONDecodeError, for an int of
    more than 4300 digits); either escaping the network thread would drop the connection unanswered."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"nested too deeply (more than about {sys.getrecursionlimit()} levels)") from None


class FrameReader:
    """Accumulates received bytes and hands out complete frame bodies.

    The size limit is checked as soon as a header is complete, so an oversized
    frame is refused before its body is buffered.
    """

    def __init__(self, max_size=DEFAULT_MAX_MESSAGE):
        self.max_size = max_size
        self._buffer = bytearray()
        # Set once the stream is unusable; frames complete before it are still returned.
        self.error = None

    def feed(self, data):
        """Add bytes; return the list of frame bodies now complete (maybe empty)."""
        if self.error is not None:
            return []
        self._buffer += data
        bodies = []
        start = 0
        buffer = self._buffer
        while len(buffer) - start >= HEADER.size:
            (size,) = HEADER.unpack_from(buffer, start)
            if size > self.max_size:
                self.error = FrameTooLarge(size, self.max_size)
                buffer.clear()
                return bodies
            end = start + HEADER.size + size
            if len(buffer) < end:
                break
            bodies.append(bytes(buffer[start + HEADER.size:end]))
            start = end
        # One trim per feed keeps many small frames in one chunk linear in cost.
        del buffer[:start]
        return bodies

    @property
    def buffered(self):
        return len(self._buffer)


_CLOSERS = {ord("}"): ord("{"), ord("]"): ord("[")}
_WHITESPACE = b" \t\r\n"
_STRUCTURAL = re.compile(rb'[{}\[\]"]')
_STRING_SPECIAL = re.compile(rb'["\\]')


class V1Reader:
    """Splits a bare-JSON byte stream into complete top-level objects.

    A small bracket/string scanner finds where each object ends; only then is the
    slice parsed. This tells a partial message (wait for more bytes) apart from
    one that is already broken (`{]`), which a plain parse attempt cannot do for
    unterminated strings. The scan resumes where it stopped, so a big message
    arriving in many chunks is scanned once.
    """

    def __init__(self, max_size=DEFAULT_MAX_MESSAGE):
        self.max_size = max_size
        self._buffer = bytearray()
        self._pos = 0
        self._stack = []
        self._in_string = False
        self._escaped = False
        # Set once the stream is unusable; messages complete before it are still returned.
        self.error = None

    def feed(self, data):
        """Add bytes; return the list of complete messages (parsed JSON values)."""
        if self.error is not None:
            return []
        self._buffer += data
        messages = []
        try:
            self._scan(messages)
        except V1SyntaxError as exc:
            self.error = exc
            self._buffer.clear()
        return messages

    def _scan(self, messages):
        buffer = self._buffer
        while self._pos < len(buffer):
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                    self._pos += 1
                    continue
                match = _STRING_SPECIAL.search(buffer, self._pos)
                if match is None:
                    self._pos = len(buffer)
                    break
                self._pos = match.end()
                if match.group() == b"\\":
                    self._escaped = True
                else:
                    self._in_string = False
                continue
            if not self._stack:
                byte = buffer[self._pos]
                self._pos += 1
                if byte in _WHITESPACE:
                    continue
                if byte != ord("{"):
                    raise V1SyntaxError(
                        f"expected '{{' to start a message, got {chr(byte)!r} at byte {self._pos - 1}"
                    )
                # Drop inter-message whitespace so the object starts at offset 0.
                del buffer[:self._pos - 1]
                self._pos = 1
                self._stack.append(byte)
                continue
            match = _STRUCTURAL.search(buffer, self._pos)
            if match is None:
                self._pos = len(buffer)
                break
            self._pos = match.end()
            byte = match.group()[0]
            if byte == 0x22:
                self._in_string = True
            elif byte in (ord("{"), ord("[")):
                self._stack.append(byte)
            else:
                if self._stack[-1] != _CLOSERS[byte]:
                    raise V1SyntaxError(
                        f"mismatched {chr(byte)!r} at byte {self._pos - 1} (open {chr(self._stack[-1])!r})"
                    )
                self._stack.pop()
                if not self._stack:
                    if self._pos > self.max_size:  # arrived whole, in one chunk
                        raise V1TooLarge(over_limit("incoming message", self._pos, self.max_size))
                    messages.append(self._parse(bytes(buffer[:self._pos])))
                    del buffer[:self._pos]
                    self._pos = 0
        if len(buffer) > self.max_size:
            raise V1TooLarge(
                f"incoming message exceeds the limit of {self.max_size} bytes without ending "
                f"({MAX_MESSAGE_SETTING}={self.max_size})"
            )

    @staticmethod
    def _parse(raw):
        try:
            return parse_json(raw.decode("utf-8"))
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError among them
            raise V1SyntaxError(f"message is not valid JSON: {exc}") from None
