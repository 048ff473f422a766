"""Passwords of the people who sign in to the console: checked against a policy, hashed with
Argon2id, verified in constant time.

The policy is NIST SP 800-63B's, not a composition rule: at least 10 characters, at most 256
(hashing a megabyte would be a free CPU burn for anyone), and not guessable. Guessable is
judged by zxcvbn (frequency lists of leaked passwords, words, names, keyboard patterns) with
the person's own name and e-mail and the words an Indonesian office password is usually made
of as extra inputs, so "Pilkada2024!" or "bkpsdmkaro2024" are refused as readily as
"password123".

Argon2id with OWASP's lower memory setting (19 MiB, 2 passes): argon2-cffi's default of
64 MiB per hash, under gunicorn's threads, would let a burst of sign-ins take gigabytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

MIN_LENGTH: Final = 10
MAX_LENGTH: Final = 256
# zxcvbn's score 3 means at least 10^8 guesses: "Rahasia123!", "Pilkada2024!" and
# "indonesia2024" fall below it, a passphrase of three ordinary words is far above.
MIN_SCORE: Final = 3

# Words Indonesian office passwords are commonly built from; zxcvbn's own lists are English.
_LOCAL_WORDS: Final = (
    "bismillah",
    "indonesia",
    "merdeka",
    "rahasia",
    "sayang",
    "cinta",
    "pemilu",
    "pilkada",
    "pantau",
    "bkpsdm",
    "diskominfo",
    "kominfo",
    "inspektorat",
    "bawaslu",
    "pemkab",
    "pemkot",
    "kabupaten",
    "asn",
    "pns",
    "nip",
    "katasandi",
    "sandi",
    "admin",
    "petugas",
    "garuda",
    "pancasila",
)

_HASHER: Final = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH: Final = _HASHER.hash("a password nobody has, for equal timing")


@dataclass(frozen=True)
class PolicyVerdict:
    """Whether a new password is acceptable, and if not, the reason to show beside the field."""

    ok: bool
    code: str = ""
    message: str = ""


def check_policy(password: str, personal: Iterable[str] = ()) -> PolicyVerdict:
    """Judge a new password; ``personal`` holds the person's name, e-mail and the like."""
    if len(password) < MIN_LENGTH:
        return PolicyVerdict(False, "too_short", f"Kata sandi minimal {MIN_LENGTH} karakter.")
    if len(password) > MAX_LENGTH:
        return PolicyVerdict(False, "too_long", f"Kata sandi maksimal {MAX_LENGTH} karakter.")
    inputs = [*_LOCAL_WORDS, *_pieces(personal)]
    # zxcvbn's cost grows with length; its verdict on the first 100 characters is enough.
    score = int(zxcvbn(password[:100], user_inputs=inputs)["score"])
    if score < MIN_SCORE:
        return PolicyVerdict(
            False,
            "common",
            "Kata sandi ini terlalu umum atau mudah ditebak. Gunakan beberapa kata acak "
            "yang tidak berhubungan dengan nama, kantor atau pemilu.",
        )
    return PolicyVerdict(True)


def _pieces(personal: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in personal:
        out.extend(p for p in re.split(r"[^0-9a-zA-Z]+", value.lower()) if len(p) >= 3)
    return out


def hash_password(password: str) -> str:
    """The Argon2id hash to store."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (None: no password set, still takes the time)."""
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password[:MAX_LENGTH]) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with older parameters and should be replaced at sign-in."""
    return _HASHER.check_needs_rehash(stored)
