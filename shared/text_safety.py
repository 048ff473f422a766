"""Characters no text sent to Pantau may carry, and where a request carries one.

A NUL byte or a bidirectional override (U+202E) stored in a title or a name makes it read
differently in the console, in a CSV export opened in a spreadsheet and in an alert than it
was written ("Trojan Source"): an officer could be shown another NIP or another name than
the one stored. Nobody types these characters; they are refused with the field and the
character named, never silently removed, so what is stored is what was sent.

Refused: C0 controls except tab, line feed and carriage return (text areas send those),
DEL and the C1 controls, the bidirectional embeddings and overrides (U+202A-U+202E) and
isolates (U+2066-U+2069). Pure: no Flask, so the APIs, the command line and the console
check with the same list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from shared.field_errors import field_path

CONTROL_CHARACTERS: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)
# In JSON text a refused character is there as itself or as an escape: \b, \f or \u with
# the code of one (hex digits in either case; JSON writes the rest of an escape in lower case).
_ESCAPED: Final = re.compile(r"\\[bf]|\\u(?:00[01]|007[fF]|00[89]|202[a-eA-E]|206[6-9])")
CODE: Final = "control_character"
# A body full of them needs no more than this many named to be corrected; walking on would
# only let a large body cost more.
MAX_ERRORS: Final = 50


def control_character(text: str) -> str | None:
    """The first refused character of ``text`` as ``U+XXXX``, or None when there is none."""
    found = CONTROL_CHARACTERS.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def may_carry_control(json_text: str) -> bool:
    """Whether JSON ``json_text`` may parse to a string (or key) with a refused character:
    False is certain, True means look (an escaped backslash followed by ``u0000`` reads as
    one here). One search of the text spares walking every string of what it parses to."""
    # Two searches, not one alternation: the escapes only where a backslash is, and the
    # character class alone is four times faster than both in one pattern.
    if CONTROL_CHARACTERS.search(json_text) is not None:
        return True
    return "\\" in json_text and _ESCAPED.search(json_text) is not None


def control_message(character: str) -> str:
    """What a field error says about a refused character (``U+202E``)."""
    return f"contains a control character ({character})"


def control_errors(value: Any) -> list[dict[str, str]]:
    """Every string of a parsed JSON value (object keys too) that carries a refused
    character, as field errors (``accused[0].name``), in document order.

    Walked without recursion, as the depth check is, so no input can overflow it.
    """
    errors: dict[str, dict[str, str]] = {}
    pending: list[tuple[tuple[int | str, ...], Any]] = [((), value)]
    while pending and len(errors) < MAX_ERRORS:
        path, item = pending.pop()
        children: Iterable[tuple[int | str, Any]]
        if isinstance(item, str):
            _check(path, item, errors)
            continue
        if isinstance(item, dict):
            for key in item:
                _check((*path, key), str(key), errors)
            children = item.items()
        elif isinstance(item, list):
            children = enumerate(item)
        else:
            continue
        pending.extend(reversed([((*path, key), child) for key, child in children]))
    return list(errors.values())


def _check(path: tuple[int | str, ...], text: str, errors: dict[str, dict[str, str]]) -> None:
    character = control_character(text)
    if character is None:
        return
    where = field_path(path)
    # A key and its value share a path: one error for the field is enough.
    errors.setdefault(where, {"field": where, "message": control_message(character), "code": CODE})
