"""The proofs of the v2 mutual challenge-response handshake (pure Python, no bpy).

Both sides prove they know the token without sending it: each answers the
other's fresh nonce with an HMAC-SHA256 keyed by the token. The two proofs use
different labels and nonce orders, so a proof the addon sends can never be
replayed back to it as the bridge's proof (nor the other way round).

    addon proof  = hex(HMAC-SHA256(token, "bmcp-addon-proof\\n"  + client_nonce + "\\n" + server_nonce + "\\n" + port))
    bridge proof = hex(HMAC-SHA256(token, "bmcp-bridge-proof\\n" + server_nonce + "\\n" + client_nonce + "\\n" + port))

`port` is the addon's TCP port: the one the bridge dialled, on its side, and the one the
connection arrived on, on the addon's. Every Blender of a user shares one token, so without
it a program squatting one Blender's port could relay the greeting to another Blender and
hold an authenticated connection to that one; with it, the two sides disagree and refuse.

The Swift bridge implements the same formulas; this module is the addon's only copy.
"""

import hashlib
import hmac
import re
import secrets

ADDON_PROOF_LABEL = "bmcp-addon-proof"
BRIDGE_PROOF_LABEL = "bmcp-bridge-proof"
# 32 random bytes, as 64 hex characters.
NONCE_BYTES = 32
MIN_NONCE_HEX = 32
MAX_NONCE_HEX = 128
_NONCE = re.compile(r"[0-9a-fA-F]+")


def new_nonce():
    """The addon's nonce for one connection: 64 lowercase hex characters."""
    return secrets.token_hex(NONCE_BYTES)


def nonce_problem(nonce):
    """What is wrong with a client's nonce, or None when it is usable.

    At least 16 bytes of randomness (32 hex characters) makes a replayed
    conversation useless; the upper bound only keeps the frame small.
    """
    if not isinstance(nonce, str):
        return f"the hello's 'nonce' must be a string of hex characters, got {type(nonce).__name__}"
    if not MIN_NONCE_HEX <= len(nonce) <= MAX_NONCE_HEX:
        return (
            f"the hello's 'nonce' must be {MIN_NONCE_HEX} to {MAX_NONCE_HEX} hex characters "
            f"(32 random bytes as hex), got {len(nonce)} characters"
        )
    if not _NONCE.fullmatch(nonce):
        return "the hello's 'nonce' must contain hex characters (0-9, a-f) only"
    return None


def _proof(token, label, first_nonce, second_nonce, port):
    message = f"{label}\n{first_nonce}\n{second_nonce}\n{int(port)}".encode("utf-8")
    return hmac.new(token.encode("utf-8"), message, hashlib.sha256).hexdigest()


def addon_proof(token, client_nonce, server_nonce, port):
    """What the addon sends in its challenge: proves to the bridge it holds the token."""
    return _proof(token, ADDON_PROOF_LABEL, client_nonce, server_nonce, port)


def bridge_proof(token, server_nonce, client_nonce, port):
    """What the bridge must send in its auth frame."""
    return _proof(token, BRIDGE_PROOF_LABEL, server_nonce, client_nonce, port)


def proof_matches(expected, given):
    """Constant-time comparison, so a proof cannot be guessed byte by byte."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
