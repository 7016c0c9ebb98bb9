"""The v2 challenge-response handshake against a real headless Blender with a token."""

import secrets

import pytest

from conftest import clean_env, error_of, headless_command
from wire_clients import FramedClient, client_proof, expected_addon_proof

TOKEN = "s3cret"
WRONG_PROOF = "the client's proof does not match this addon's token"


@pytest.fixture(scope="module")
def secured(launch_blender):
    """Token given both by env and flag: the flag must win."""
    env = clean_env(BMCP_ADDON_TOKEN="from-env")
    blender = launch_blender(headless_command("--port", "0", "--token", TOKEN), env)
    yield blender
    blender.stop()


def object_names(addon):
    with FramedClient(addon.address) as client:
        assert client.hello(token=TOKEN)["type"] == "hello"
        return {o["name"] for o in client.call("scene.info")["objects"]}


def intruder_request():
    """A request that would leave a trace (an object named Intruder) if it ever ran."""
    return {"type": "request", "id": "sneak", "op": "object.create", "params": {"type": "cube", "name": "Intruder"}}


def test_right_token_is_greeted_after_the_challenge(secured):
    with FramedClient(secured.address) as client:
        reply = client.hello(token=TOKEN)  # also checks the addon's proof against TOKEN
        assert reply["type"] == "hello" and reply["server"] == "bmcp-addon", reply
        challenge = client.challenge
        assert set(challenge) == {"type", "protocol", "nonce", "proof"} and challenge["protocol"] == 2
        assert len(challenge["nonce"]) == 64 and int(challenge["nonce"], 16) >= 0
        assert client.call("scene.info")["object_count"] == 3


def test_the_addon_proof_verifies_with_the_client_side_function(secured):
    with FramedClient(secured.address) as client:
        challenge = client.hello(token=None)  # stop at the challenge
        assert challenge["type"] == "challenge", challenge
        assert challenge["proof"] == expected_addon_proof(TOKEN, client.nonce, challenge["nonce"], client.port)
        assert challenge["proof"] != expected_addon_proof("from-env", client.nonce, challenge["nonce"], client.port)


def test_every_connection_gets_a_fresh_server_nonce(secured):
    nonces = set()
    for _ in range(3):
        with FramedClient(secured.address) as client:
            nonces.add(client.hello(token=None)["nonce"])
    assert len(nonces) == 3


@pytest.mark.parametrize("token", ["wrong", "from-env", "s3cre", "s3crett"])
def test_wrong_token_is_unauthorized_closed_and_runs_nothing(secured, token):
    with FramedClient(secured.address) as client:
        challenge = client.hello(token=None)
        proof = client_proof(token, challenge["nonce"], client.nonce, client.port)
        # The request rides in the same write as the auth: it must still never run.
        client.send_raw(client.encode({"type": "auth", "proof": proof}) + client.encode(intruder_request()))
        answer = client.receive()
        assert answer == {"type": "error", "id": None, "error": {"code": "unauthorized", "message": WRONG_PROOF}}
        assert client.is_closed_by_peer()
    assert "Intruder" not in object_names(secured)


@pytest.mark.parametrize(
    "instead",
    [intruder_request(), {"type": "ping", "id": "p"}, {"type": "auth"}, {"type": "auth", "proof": "00" * 32}],
    ids=["request", "ping", "auth-without-proof", "auth-with-junk"],
)
def test_anything_but_the_right_proof_after_the_challenge_is_refused(secured, instead):
    with FramedClient(secured.address) as client:
        assert client.hello(token=None)["type"] == "challenge"
        client.send(instead)
        error = error_of(client.receive())
        assert error["code"] == "unauthorized"
        assert "proof" in error["message"]
        assert client.is_closed_by_peer()
    assert "Intruder" not in object_names(secured)


def test_invalid_json_after_the_challenge_is_refused(secured):
    with FramedClient(secured.address) as client:
        assert client.hello(token=None)["type"] == "challenge"
        client.send_raw(b"\x00\x00\x00\x01{")
        error = error_of(client.receive())
        assert error["code"] == "unauthorized" and "invalid JSON" in error["message"]
        assert client.is_closed_by_peer()


def test_the_token_in_the_clear_is_never_accepted(secured):
    with FramedClient(secured.address) as client:
        client.send({"type": "hello", "protocol": 2, "client": "old-bridge", "token": TOKEN})
        error = error_of(client.receive())
        assert error["code"] == "unauthorized"
        assert error["message"] == (
            "this addon requires a token: send a nonce in the hello and answer the challenge "
            "(tokens are never sent in the clear)"
        )
        assert client.is_closed_by_peer()


@pytest.mark.parametrize("nonce, named", [("abc", "got 3 characters"), ("z" * 64, "hex"), (7, "string")])
def test_a_bad_nonce_is_unauthorized_and_named(secured, nonce, named):
    with FramedClient(secured.address) as client:
        client.send({"type": "hello", "protocol": 2, "client": "pytest", "nonce": nonce})
        error = error_of(client.receive())
        assert error["code"] == "unauthorized" and named in error["message"]
        assert client.is_closed_by_peer()


def test_a_request_before_the_hello_is_still_hello_required(secured):
    with FramedClient(secured.address) as client:
        client.send(intruder_request())
        assert error_of(client.receive())["code"] == "hello_required"
        assert client.is_closed_by_peer()


def test_without_a_token_the_nonce_is_optional(addon):
    with FramedClient(addon.address) as client:
        assert client.hello(token="anything")["type"] == "hello"  # nonce sent, no challenge
        assert client.challenge is None
    with FramedClient(addon.address) as client:
        client.send({"type": "hello", "protocol": 2, "client": "pytest"})
        assert client.receive()["type"] == "hello"
    with FramedClient(addon.address) as client:
        client.send({"type": "hello", "protocol": 2, "client": "pytest", "nonce": secrets.token_hex(8)})
        assert client.receive()["type"] == "hello"  # not validated: nothing is proven without a token
