"""The characters no text sent to Pantau may carry, found wherever a body holds them."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.text_safety import MAX_ERRORS, control_character, control_errors, may_carry_control

REFUSED = [
    *(chr(c) for c in range(0x00, 0x09)),
    "\x0b",
    "\x0c",
    *(chr(c) for c in range(0x0E, 0x20)),
    "\x7f",
    "\x85",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
]


@pytest.mark.parametrize("character", REFUSED)
def test_each_refused_character_is_named(character: str) -> None:
    assert control_character(f"Dinas {character}Pendidikan") == f"U+{ord(character):04X}"


@pytest.mark.parametrize(
    "text", ["Drs. Bonar Sitepu", "baris\tsatu\r\ndua", "Kantor Bupati — «Karo» 🇮🇩", "لا"]
)
def test_ordinary_text_passes(text: str) -> None:
    assert control_character(text) is None


def test_errors_name_each_field_in_the_one_path_format() -> None:
    body = {
        "title": "Foto\u202e",
        "accused": [{"name": "Siti"}, {"name": "Bo\x00nar"}],
        "notes": {"ka\x1bey": "fine"},
        "ok": [1, True, None, "fine"],
    }
    assert control_errors(body) == [
        {
            "field": "title",
            "message": "contains a control character (U+202E)",
            "code": "control_character",
        },
        {
            "field": "accused[1].name",
            "message": "contains a control character (U+0000)",
            "code": "control_character",
        },
        {
            "field": "notes.ka\x1bey",
            "message": "contains a control character (U+001B)",
            "code": "control_character",
        },
    ]


def test_a_body_full_of_them_names_a_bounded_number() -> None:
    assert len(control_errors(["\x00"] * 10_000)) == MAX_ERRORS


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("character", [*REFUSED, "\x80", "\x9f"])
def test_the_text_of_a_body_tells_when_a_string_of_it_may_carry_one(
    character: str, ensure_ascii: bool
) -> None:
    """JSON text that says nothing of a refused character spares the walk over every string
    (``shared.request_input``): each one, written raw or escaped in either case, is seen."""
    for body in ({"title": f"Foto{character}"}, {f"ke{character}y": 1}, [[f"{character}"]]):
        text = json.dumps(body, ensure_ascii=ensure_ascii)
        assert may_carry_control(text), text
        # JSON allows the hex digits of an escape in upper case too.
        upper = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), text)
        assert json.loads(upper) == body
        assert may_carry_control(upper), upper


@given(st.text())
@settings(max_examples=500)
def test_no_string_with_a_refused_character_passes_the_text_check(value: str) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        if control_character(value) is not None:
            assert may_carry_control(text)


@pytest.mark.parametrize(
    "body", [{"title": "baris\tsatu\r\ndua"}, {"nama": "Kantor Bupati — «Karo» 🇮🇩"}, [1, 2.5]]
)
def test_a_plain_body_needs_no_walk(body: object) -> None:
    assert not may_carry_control(json.dumps(body, ensure_ascii=False))
