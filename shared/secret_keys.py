"""The 32-byte keys operators give as base64 (the reporter vault's, the receipts'): read once,
refused by name when they are not what they must be, so a service never starts with a key
that would seal what it can never open."""

from __future__ import annotations

import base64
import binascii


class KeyFormatError(ValueError):
    """The text is no base64 key of 32 bytes; the message names the variable."""


def decode_key(encoded: str, variable: str) -> bytes:
    """The 32 bytes of ``encoded``; KeyFormatError naming ``variable`` if it is not one."""
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"{variable} is not valid base64") from exc
    if len(key) != 32:
        raise KeyFormatError(f"{variable} must decode to 32 bytes, not {len(key)}")
    return key
