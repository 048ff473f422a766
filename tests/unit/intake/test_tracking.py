"""Tracking codes: unguessable, forgiving when typed, and every status has words."""

from __future__ import annotations

import math

from services.intake.actions.status_machine import STATUSES
from services.intake.cases.tracking import new_tracking_code
from services.intake.cases.tracking_api import STATUS_TEXT
from shared.tracking_codes import ALPHABET as _ALPHABET
from shared.tracking_codes import normalise_tracking_code


def test_codes_are_long_enough_not_to_be_guessed() -> None:
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    bits = 16 * math.log2(len(_ALPHABET))
    assert bits > 75  # a million guesses a day would need far longer than a Pilkada lasts


def test_every_place_of_a_code_draws_from_the_whole_alphabet() -> None:
    """One draw per code written in base 30: a slip in the writing (a place that never
    changes, a character never used) would make codes fewer than they look."""
    codes = [new_tracking_code().replace("-", "") for _ in range(3000)]
    for place in range(16):
        # About a hundred of each character per place; every one turns up.
        assert {code[place] for code in codes} == set(_ALPHABET), place


def test_codes_typed_loosely_are_understood() -> None:
    code = new_tracking_code()
    assert normalise_tracking_code(code.lower().replace("-", " ")) == code
    assert normalise_tracking_code(code.replace("-", "")) == code
    assert normalise_tracking_code("O0O0-1111-IIII-LLLL") is None  # confusable letters never issued
    assert normalise_tracking_code("short") is None


def test_every_status_of_the_flow_speaks_plain_bahasa() -> None:
    # Read from the status machine, so a status added to the flow is held to this too.
    assert set(STATUSES) <= set(STATUS_TEXT)
    for text, next_step in STATUS_TEXT.values():
        assert text.endswith(".")
        assert next_step.endswith(".")
