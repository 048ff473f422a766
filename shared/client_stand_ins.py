"""Stand-ins for citizens' network addresses: per-address limits count a citizen without any
database keeping where they wrote from.

A citizen who reports a civil servant may fear that official, and a network address ties a
report to a household or an office. A limit only needs to tell one sender from another
within its window, so what the limits store (in MongoDB, and so in its oplog and backups) is
a keyed hash of the address: one address gives one stand-in under one key, and without the
key a stand-in gives nothing back. A hash without a key would not do: all 2^32 IPv4
addresses are tried in minutes.

An IPv6 address counts by its /64, the prefix a household or office is given: a device
picks a new address within it at will (privacy extensions), and each would otherwise count
as a new sender.

Pure computation: keys come in as values, nothing here reads settings or the request.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from typing import Final

# The header the console names a citizen to intake in (intake trusts it from the public key).
HEADER: Final = "X-Pantau-Client"
LENGTH: Final = 32  # hex digits: 128 bits, no two senders of a window collide
_FORM: Final = re.compile(f"[0-9a-f]{{{LENGTH}}}")
_IPV6_NETWORK: Final = 64


def key_from(secret: bytes, purpose: str) -> bytes:
    """A stand-in key derived from one of a service's secrets, never the secret itself, so a
    stand-in can not help anyone learn the secret's other uses."""
    return hmac.new(secret, f"pantau client stand-in: {purpose}".encode(), hashlib.sha256).digest()


def counted_as(address: str) -> str:
    """What one sender is: an IPv4 address, an IPv6 /64, or the text given when it is no
    address at all (a test client's or a socket's name)."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{_IPV6_NETWORK}", strict=False))
    return str(parsed)


def stand_in(address: str, key: bytes) -> str:
    """The stand-in the limits count for ``address``."""
    return hmac.new(key, counted_as(address).encode(), hashlib.sha256).hexdigest()[:LENGTH]


def is_stand_in(value: str) -> bool:
    """Whether ``value`` has a stand-in's form (what intake takes from the public pages)."""
    return _FORM.fullmatch(value) is not None
