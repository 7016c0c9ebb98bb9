"""Unit tests of the v2 handshake: the proofs (handshake.py) and the greeting
state machine (protocol.Greeting), without Blender."""

import hashlib
import hmac
import re

import pytest

from bmcp_addon import handshake, protocol
from wire_clients import client_proof, expected_addon_proof

TOKEN = "s3cret-tøken"  # non-ASCII on purpose: the key is the token's UTF-8 bytes
CLIENT_NONCE = "0123456789abcdef" * 4
SERVER_NONCE = "fedcba9876543210" * 4
PORT = 9876
# Computed outside Python with
#   printf 'bmcp-addon-proof\n%s\n%s\n9876' $CN $SN | openssl dgst -sha256 -hmac 's3cret-tøken'
ADDON_PROOF_VECTOR = "f8ee16b4887e2d37221f483caab7cb381f569ff03a8207c207f4d3e7d7518a74"
BRIDGE_PROOF_VECTOR = "1aca78e02426a185c9a8efa3418be0b22ea3bc3011b67b39c2534f41905c6e66"
HELLO_REPLY = {"type": "hello", "protocol": 2, "server": "bmcp-addon"}


def test_proofs_match_independent_vectors():
    assert handshake.addon_proof(TOKEN, CLIENT_NONCE, SERVER_NONCE, PORT) == ADDON_PROOF_VECTOR
    assert handshake.bridge_proof(TOKEN, SERVER_NONCE, CLIENT_NONCE, PORT) == BRIDGE_PROOF_VECTOR
    message = f"bmcp-bridge-proof\n{SERVER_NONCE}\n{CLIENT_NONCE}\n{PORT}".encode()
    assert hmac.new(TOKEN.encode(), message, hashlib.sha256).hexdigest() == BRIDGE_PROOF_VECTOR


def test_addon_proof_is_not_a_bridge_proof():
    # Same nonces, swapped roles: a proof the addon sent cannot be replayed back to it.
    assert handshake.addon_proof(TOKEN, CLIENT_NONCE, SERVER_NONCE, PORT) != handshake.bridge_proof(
        TOKEN, CLIENT_NONCE, SERVER_NONCE, PORT
    )


def test_a_proof_for_another_port_does_not_match():
    # A greeting relayed from a squatted port to another Blender's port fails.
    assert handshake.addon_proof(TOKEN, CLIENT_NONCE, SERVER_NONCE, PORT) != handshake.addon_proof(
        TOKEN, CLIENT_NONCE, SERVER_NONCE, PORT + 1
    )


def test_new_nonce_is_64_lowercase_hex_and_fresh():
    nonces = {handshake.new_nonce() for _ in range(20)}
    assert len(nonces) == 20
    assert all(re.fullmatch(r"[0-9a-f]{64}", nonce) for nonce in nonces)


@pytest.mark.parametrize("nonce", ["a" * 32, "0f" * 32, "A1" * 64])
def test_usable_nonces(nonce):
    assert handshake.nonce_problem(nonce) is None


@pytest.mark.parametrize(
    "nonce, named",
    [("a" * 31, "got 31 characters"), ("a" * 129, "got 129 characters"), ("g" * 64, "hex characters"),
     (42, "got int"), ("", "got 0 characters")],
)
def test_unusable_nonces_are_named(nonce, named):
    assert named in handshake.nonce_problem(nonce)


def test_proof_matches_is_strict():
    assert handshake.proof_matches(ADDON_PROOF_VECTOR, ADDON_PROOF_VECTOR)
    assert not handshake.proof_matches(ADDON_PROOF_VECTOR, ADDON_PROOF_VECTOR.upper())
    assert not handshake.proof_matches(ADDON_PROOF_VECTOR, None)
    assert not handshake.proof_matches(ADDON_PROOF_VECTOR, "ü")  # non-ASCII must not raise


# -- the greeting ------------------------------------------------------------------


def greeting(token):
    return protocol.Greeting(token, HELLO_REPLY, PORT, new_nonce=lambda: SERVER_NONCE)


def hello(**fields):
    return {"type": "hello", "protocol": 2, "client": "unit", **fields}


def refusal(call):
    with pytest.raises(protocol.ProtocolError) as caught:
        call()
    assert caught.value.close is True
    return caught.value


def test_without_a_token_the_hello_greets_at_once():
    for frame in (hello(), hello(nonce=CLIENT_NONCE), hello(nonce="not hex")):
        state = greeting(None)
        assert state.on_frame(frame) is HELLO_REPLY
        assert state.greeted


def test_with_a_token_the_right_proof_greets():
    state = greeting(TOKEN)
    challenge = state.on_frame(hello(nonce=CLIENT_NONCE))
    assert challenge == {"type": "challenge", "protocol": 2, "nonce": SERVER_NONCE, "proof": ADDON_PROOF_VECTOR}
    assert not state.greeted
    assert state.on_frame({"type": "auth", "proof": BRIDGE_PROOF_VECTOR}) is HELLO_REPLY
    assert state.greeted


def test_the_wire_clients_side_agrees_with_the_addon():
    state = protocol.Greeting(TOKEN, HELLO_REPLY, PORT)  # a real random server nonce
    challenge = state.on_frame(hello(nonce=CLIENT_NONCE))
    assert challenge["proof"] == expected_addon_proof(TOKEN, CLIENT_NONCE, challenge["nonce"], PORT)
    assert state.on_frame({"type": "auth", "proof": client_proof(TOKEN, challenge["nonce"], CLIENT_NONCE, PORT)})
    assert state.greeted


@pytest.mark.parametrize(
    "auth",
    [{"type": "auth", "proof": client_proof("other", SERVER_NONCE, CLIENT_NONCE, PORT)}, {"type": "auth"},
     {"type": "auth", "proof": 7}, {"type": "auth", "proof": ADDON_PROOF_VECTOR}],
)
def test_a_wrong_or_missing_proof_is_unauthorized(auth):
    state = greeting(TOKEN)
    state.on_frame(hello(nonce=CLIENT_NONCE))
    error = refusal(lambda: state.on_frame(auth))
    assert (error.code, error.message) == ("unauthorized", "the client's proof does not match this addon's token")
    assert not state.greeted


@pytest.mark.parametrize("frame", [{"type": "request", "id": "1", "op": "scene.info"}, {"type": "ping"}, [], hello()])
def test_any_other_frame_after_the_challenge_is_unauthorized(frame):
    state = greeting(TOKEN)
    state.on_frame(hello(nonce=CLIENT_NONCE))
    error = refusal(lambda: state.on_frame(frame))
    assert error.code == "unauthorized" and '{"type":"auth","proof":...}' in error.message
    assert state.unreadable("Expecting value").code == "unauthorized"
    assert not state.greeted


def test_a_hello_without_nonce_to_a_token_holder_says_how_to_fix_it():
    # The token in the clear is ignored, even when it is the right one.
    error = refusal(lambda: greeting(TOKEN).on_frame(hello(token=TOKEN)))
    assert error.code == "unauthorized"
    assert error.message == (
        "this addon requires a token: send a nonce in the hello and answer the challenge "
        "(tokens are never sent in the clear)"
    )


def test_a_bad_nonce_to_a_token_holder_is_named():
    error = refusal(lambda: greeting(TOKEN).on_frame(hello(nonce="abc")))
    assert error.code == "unauthorized" and "got 3 characters" in error.message


def test_hello_shape_is_checked_first():
    assert refusal(lambda: greeting(TOKEN).on_frame({"type": "ping"})).code == "hello_required"
    assert refusal(lambda: greeting(TOKEN).on_frame(hello(protocol=3))).code == "unsupported_protocol"
    assert greeting(None).unreadable("Expecting value").code == "hello_required"
