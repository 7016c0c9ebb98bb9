"""What every addon fuzz target shares: the import path and atheris' entry point.

A target is a plain script (`python fuzz_framing.py [libFuzzer flags] [corpus dir]`), run
outside Blender: the modules it fuzzes are pure Python. A "crash" is any exception other than
the documented error types of the code under test, or a broken invariant (an AssertionError).
"""

import os
import sys

ADDON_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
if ADDON_ROOT not in sys.path:
    sys.path.insert(0, ADDON_ROOT)

import atheris  # noqa: E402  (after the path, so the addon imports below resolve)


def run(test_one_input):
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


def split_input(data):
    """(flags, cut positions, stream) from one input: a first byte whose low 3 bits count the
    cuts and whose high bit is a flag for the target, two bytes per cut, then the stream. Read
    from the front, so a seed is that header followed by the bytes a peer would send."""
    head = data[:1][0] if data else 0
    count = head & 0x07
    cuts = [int.from_bytes(data[1 + 2 * i:3 + 2 * i], "big") for i in range(count)]
    return bool(head & 0x80), cuts, data[1 + 2 * count:]


def chunks(data, cuts):
    """`data` split at the positions the fuzzer chose: TCP may deliver any split."""
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    start = 0
    for point in points + [len(data)]:
        yield data[start:point]
        start = point


def feed_all(reader, pieces):
    """Feeds `pieces` to a fresh `reader` (FrameReader or V1Reader) -> (reader, what came out)."""
    out = []
    for piece in pieces:
        out += reader.feed(piece)
    return reader, out
