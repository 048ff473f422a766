"""The shape of a tracking code, the one a reporter uses to follow a case without an account.

Shared because it is read in more than one place: intake issues codes and finds cases by them,
and the console recognises one typed into a search box or a form (an officer on the phone with
a reporter who reads theirs aloud). Pure: no randomness, no clock.
"""

from __future__ import annotations

from typing import Final

# No 0/O, 1/I/L, U: codes are read aloud over the phone and typed on small keyboards.
ALPHABET: Final = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
GROUPS: Final = 4
GROUP_LENGTH: Final = 4
LENGTH: Final = GROUPS * GROUP_LENGTH


def grouped(compact: str) -> str:
    """``compact`` (sixteen characters) written as four groups: ``K7QM-3XPA-9D2F-HT6W``."""
    return "-".join(compact[i : i + GROUP_LENGTH] for i in range(0, len(compact), GROUP_LENGTH))


def normalise_tracking_code(raw: str) -> str | None:
    """The canonical form of a code as typed by a person (any case, with or without dashes or
    spaces), or None if it cannot be one."""
    compact = "".join(ch for ch in raw.upper() if ch.isalnum())
    if len(compact) != LENGTH or any(ch not in ALPHABET for ch in compact):
        return None
    return grouped(compact)
