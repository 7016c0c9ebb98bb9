"""Fuzzes the v2 frame decoder: FrameReader (never raises; a bad stream sets .error) and
decode_payload (ValueError only). Invariant: however the bytes are split, the same frames
come out and the same error is reported.

Input (fuzz_common.split_input): the flag, cut positions, then the stream. Without the flag
the stream is raw bytes; with it, frame bodies separated by blank lines, each given its right
header, so the fuzzer explores the bodies instead of guessing lengths.
"""

import fuzz_common
import atheris

with atheris.instrument_imports():
    from bmcp_addon.framing import HEADER, FrameReader, FrameTooLarge, decode_payload

LIMIT = 8192


def test_one_input(data):
    framed, cuts, stream = fuzz_common.split_input(data)
    if framed:
        stream = b"".join(HEADER.pack(len(body)) + body for body in stream.split(b"\n\n"))
    whole, whole_bodies = fuzz_common.feed_all(FrameReader(LIMIT), [stream])
    split, split_bodies = fuzz_common.feed_all(FrameReader(LIMIT), fuzz_common.chunks(stream, cuts))
    assert whole_bodies == split_bodies, "a split changed the frames"
    assert (whole.error is None) == (split.error is None), "a split changed the error"
    assert whole.error is None or isinstance(whole.error, FrameTooLarge)
    for body in whole_bodies:
        assert len(body) <= LIMIT
        try:
            decode_payload(body)
        except ValueError:
            pass


if __name__ == "__main__":
    fuzz_common.run(test_one_input)
