"""Tracking codes a reporter uses to follow a case without an account."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L, U: codes are read aloud over the phone and typed on small keyboards.
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
_GROUPS = 4
_GROUP_LEN = 4


def new_tracking_code() -> str:
    """A random code like ``K7QM-3XPA-9D2F-HT6W`` (about 78 bits: not guessable)."""
    # One draw for the whole code, written in base 30: the same uniform code as a draw per
    # character, and one read of the system's randomness instead of sixteen.
    number = secrets.randbelow(len(_ALPHABET) ** (_GROUPS * _GROUP_LEN))
    characters = []
    for _ in range(_GROUPS * _GROUP_LEN):
        number, digit = divmod(number, len(_ALPHABET))
        characters.append(_ALPHABET[digit])
    return _grouped("".join(characters))


def normalise_tracking_code(raw: str) -> str | None:
    """The canonical form of a code as typed by a person, or None if it cannot be one."""
    compact = "".join(ch for ch in raw.upper() if ch.isalnum())
    if len(compact) != _GROUPS * _GROUP_LEN or any(ch not in _ALPHABET for ch in compact):
        return None
    return _grouped(compact)


def _grouped(compact: str) -> str:
    return "-".join(compact[i : i + _GROUP_LEN] for i in range(0, len(compact), _GROUP_LEN))
