"""Issuing the tracking codes a reporter uses to follow a case without an account (their
shape, and reading one as typed: ``shared.tracking_codes``)."""

from __future__ import annotations

import secrets

from shared.tracking_codes import ALPHABET, LENGTH, grouped


def new_tracking_code() -> str:
    """A random code like ``K7QM-3XPA-9D2F-HT6W`` (about 78 bits: not guessable)."""
    # One draw for the whole code, written in base 30: the same uniform code as a draw per
    # character, and one read of the system's randomness instead of sixteen.
    number = secrets.randbelow(len(ALPHABET) ** LENGTH)
    characters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[digit])
    return grouped("".join(characters))
