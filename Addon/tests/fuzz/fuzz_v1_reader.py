"""Fuzzes the V1 reader (bare JSON, no framing): V1Reader.feed never raises; hopeless
input sets .error (V1SyntaxError). Invariant: however the bytes are split, the same
messages come out and the same error is reported."""

import fuzz_common
import atheris

with atheris.instrument_imports():
    from bmcp_addon.framing import V1Reader, V1SyntaxError

LIMIT = 16 * 1024


def test_one_input(data):
    _, cuts, stream = fuzz_common.split_input(data)
    whole, whole_messages = fuzz_common.feed_all(V1Reader(LIMIT), [stream])
    split, split_messages = fuzz_common.feed_all(V1Reader(LIMIT), fuzz_common.chunks(stream, cuts))
    # NaN != NaN, so compare what would go back on the wire, not the values.
    assert repr(whole_messages) == repr(split_messages), "a split changed the messages"
    assert (whole.error is None) == (split.error is None), "a split changed the error"
    assert whole.error is None or isinstance(whole.error, V1SyntaxError)
    assert all(isinstance(message, dict) for message in whole_messages)


if __name__ == "__main__":
    fuzz_common.run(test_one_input)
