"""Secrets handed to people and programs: random, shown once, kept only as a hash.

Every such secret carries 256 random bits, so a fast hash is enough to store it: there is
nothing to brute-force, and a stolen collection gives no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

# No 0/o, 1/l: prefixes are read from logs and screens and typed back.
PREFIX_ALPHABET: Final = "abcdefghijkmnpqrstuvwxyz23456789"


def digest(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_prefix(length: int = 10) -> str:
    """A short random lookup prefix."""
    return "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(length))


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)
