"""The report form's challenge: signed, expiring, worked for or answered, spent once."""

from __future__ import annotations

import hashlib
from itertools import count
from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError

from services.console.public import challenge
from services.console.public.challenge import Outcome
from services.console.public.spent import SpentChallenges

SECRET = "rahasia-konsol-untuk-uji-" + "x" * 20
NOW = 1_732_000_000.0


def solve(found: challenge.Challenge) -> str:
    """What the page's script does: count until the hash starts with enough zero bits."""
    return next(str(n) for n in count() if challenge.work_done(found, str(n)))


@pytest.fixture(scope="module")
def issued() -> challenge.Challenge:
    return challenge.issue(SECRET, NOW, bits=12)


def test_a_challenge_worked_for_passes(issued: challenge.Challenge) -> None:
    assert challenge.check(SECRET, issued.token, solve(issued), "", NOW + 60) is Outcome.OK


def test_the_question_in_words_answered_passes_without_any_work(
    issued: challenge.Challenge,
) -> None:
    total = issued.first + issued.second
    for typed in (str(total), f" {total} ", challenge.NUMBER_WORDS["id"][total].upper()):
        assert challenge.check(SECRET, issued.token, "", typed, NOW) is Outcome.OK
    english = challenge.NUMBER_WORDS["en"][total]
    assert challenge.check(SECRET, issued.token, "", english, NOW) is Outcome.OK
    assert challenge.check(SECRET, issued.token, "", str(total + 1), NOW) is Outcome.WRONG
    assert challenge.check(SECRET, issued.token, "", "", NOW) is Outcome.MISSING


def test_an_expired_challenge_is_refused(issued: challenge.Challenge) -> None:
    later = issued.expires + 1
    assert challenge.check(SECRET, issued.token, solve(issued), "", later) is Outcome.EXPIRED


def test_a_tampered_challenge_is_refused(issued: challenge.Challenge) -> None:
    parts = issued.token.split(".")
    easier = ".".join([*parts[:3], "1", *parts[4:]])  # asks for one zero bit instead
    later = ".".join([*parts[:2], str(issued.expires + 86_400), *parts[3:]])
    for token in (easier, later, issued.token + "x", "", "c1.x.y"):
        outcome = challenge.check(SECRET, token, "1", "", NOW)
        assert outcome in (Outcome.TAMPERED, Outcome.MISSING), token
    other_server = challenge.check("another-secret-" + "y" * 30, issued.token, "1", "", NOW)
    assert other_server is Outcome.TAMPERED


def test_too_little_work_is_refused(issued: challenge.Challenge) -> None:
    # A proof whose hash has fewer zero bits than asked.
    weak = next(
        str(n)
        for n in count()
        if challenge.leading_zero_bits(hashlib.sha256(f"{issued.token}:{n}".encode()).digest())
        < issued.bits
    )
    assert challenge.check(SECRET, issued.token, weak, "", NOW) is Outcome.WEAK
    assert challenge.check(SECRET, issued.token, "x" * 21, "", NOW) is Outcome.WEAK


def test_the_default_work_is_what_the_page_script_is_told() -> None:
    fresh = challenge.issue(SECRET, NOW)
    assert fresh.bits == challenge.BITS
    assert fresh.token.split(".")[3] == str(challenge.BITS)  # challenge.js reads it there
    assert 2 <= fresh.sum <= 9


def test_leading_zero_bits_counts_across_bytes() -> None:
    assert challenge.leading_zero_bits(b"\x00\x00\x01") == 23
    assert challenge.leading_zero_bits(b"\x80") == 0
    assert challenge.leading_zero_bits(b"\x0f\xff") == 4


class FakeCollection:
    """The one unique index a spent challenge needs, in memory."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    def insert_one(self, document: dict[str, Any]) -> None:
        if document["_id"] in self.docs:
            raise DuplicateKeyError("spent")
        self.docs[document["_id"]] = document

    def find_one(self, query: dict[str, Any]) -> dict[str, Any] | None:
        return self.docs.get(query["_id"])

    def create_index(self, keys: str, **kwargs: Any) -> None:
        assert kwargs["expireAfterSeconds"] == 0


def test_a_reused_challenge_is_refused_but_a_resend_of_the_same_sending_is_not(
    issued: challenge.Challenge,
) -> None:
    spent = SpentChallenges(FakeCollection())
    assert spent.spend(issued.id, "sending-1", issued.expires)
    assert spent.spend(issued.id, "sending-1", issued.expires)  # the same report sent again
    assert not spent.spend(issued.id, "sending-2", issued.expires)  # another report
