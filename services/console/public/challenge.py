"""The report form's challenge: a small proof of work for browsers that run the page's
script, a question in words for those that do not. No third-party service is asked.

The server signs a challenge (an id, an expiry, the work asked and two small numbers) with a
key derived from the console's secret and puts it in the form. A browser with JavaScript
(``static/js/challenge.js``) finds a ``proof`` such that SHA-256 of ``<token>:<proof>`` begins
with ``bits`` zero bits: about 2^bits hashes, a second or two on a cheap phone, and a cost per
report for anyone sending thousands. Without JavaScript the person answers the question
("Berapa tiga ditambah empat?") instead. Either passes; the token's signature, its expiry and
the work or the answer are checked here. Spending a challenge once is ``spent.py``'s part.

Pure: no Flask, no database, so every way a challenge fails is tested on plain values.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import Enum
from typing import Final

# Leading zero bits of the proof's hash: 2^16 hashes on average.
BITS: Final = 16
# Long enough to write a report on a phone; a form left open longer gets a fresh challenge.
TTL_SECONDS: Final = 2 * 60 * 60
MAX_PROOF: Final = 20
_VERSION: Final = "c1"

NUMBER_WORDS: Final = {
    "id": ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
}


class Outcome(Enum):
    """What a check found."""

    OK = "ok"
    MISSING = "missing"  # no token, or neither a proof nor an answer
    TAMPERED = "tampered"  # not a token this server signed
    EXPIRED = "expired"
    WEAK = "weak"  # a proof that does not do the work asked
    WRONG = "wrong"  # a wrong answer to the question


@dataclass(frozen=True)
class Challenge:
    """A signed challenge as the form carries it."""

    id: str
    expires: int
    bits: int
    first: int
    second: int
    token: str

    @property
    def sum(self) -> int:
        return self.first + self.second


def _key(secret: str) -> bytes:
    # A key of its own, so no other signature made with the console's secret is a challenge.
    return hashlib.sha256(b"pantau public challenge\x00" + secret.encode()).digest()


def _sign(secret: str, body: str) -> str:
    mac = hmac.new(_key(secret), body.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(secret: str, now: float, *, bits: int = BITS, ttl: int = TTL_SECONDS) -> Challenge:
    """A fresh challenge, valid for ``ttl`` seconds from ``now`` (a Unix time)."""
    # Sums up to nine: one word in either language, one digit to type.
    first, second = secrets.randbelow(5) + 1, secrets.randbelow(4) + 1
    ident, expires = secrets.token_hex(8), int(now) + ttl
    body = f"{_VERSION}.{ident}.{expires}.{bits}.{first}{second}"
    return Challenge(ident, expires, bits, first, second, f"{body}.{_sign(secret, body)}")


def read(secret: str, token: str) -> Challenge | None:
    """The challenge ``token`` stands for, or None when this server did not sign it."""
    parts = token.split(".")
    if len(parts) != 6 or parts[0] != _VERSION:
        return None
    body, signature = ".".join(parts[:5]), parts[5]
    if not hmac.compare_digest(_sign(secret, body), signature):
        return None
    _, ident, expires, bits, numbers = parts[:5]
    if not (expires.isdigit() and bits.isdigit() and numbers.isdigit() and len(numbers) == 2):
        return None
    return Challenge(ident, int(expires), int(bits), int(numbers[0]), int(numbers[1]), token)


def leading_zero_bits(digest: bytes) -> int:
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def work_done(challenge: Challenge, proof: str) -> bool:
    """Whether ``proof`` does the work the challenge asks."""
    if not proof or len(proof) > MAX_PROOF or not proof.isascii():
        return False
    digest = hashlib.sha256(f"{challenge.token}:{proof}".encode()).digest()
    return leading_zero_bits(digest) >= challenge.bits


def answer_right(challenge: Challenge, answer: str) -> bool:
    """Whether ``answer`` is the sum, as digits or as a word of either language."""
    given = answer.strip().lower().rstrip(".")
    if given.isdigit():
        return int(given) == challenge.sum
    return any(words[challenge.sum] == given for words in NUMBER_WORDS.values())


def check(secret: str, token: str, proof: str, answer: str, now: float) -> Outcome:
    """Judge what a form sent back: the signed token, and the proof or the answer."""
    if not token:
        return Outcome.MISSING
    challenge = read(secret, token)
    if challenge is None:
        return Outcome.TAMPERED
    if now > challenge.expires:
        return Outcome.EXPIRED
    if proof:
        return Outcome.OK if work_done(challenge, proof) else Outcome.WEAK
    if not answer.strip():
        return Outcome.MISSING
    return Outcome.OK if answer_right(challenge, answer) else Outcome.WRONG


def question_words(challenge: Challenge, language: str) -> tuple[str, str]:
    """The two numbers of the question, in words of ``language``."""
    words = NUMBER_WORDS.get(language, NUMBER_WORDS["id"])
    return words[challenge.first], words[challenge.second]
