"""Which addresses are loopback (pure Python, no bpy, no sockets).

Every op can run Python, so the addon's port is a door: V1 (which has no
token) is answered only from loopback peers, and listening on any other
address needs a token.
"""

import ipaddress


def is_loopback(host):
    """True for 127.0.0.0/8, ::1 and the IPv4-mapped ::ffff:127.x form.

    Names (even "localhost") are False: the caller resolves them first, so what
    is judged is the address a socket really uses.
    """
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 scope (fe80::1%eth0)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback
