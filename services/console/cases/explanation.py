"""Triage's explanation as an officer reads it: the cases it mentions by name, not by id.

Triage writes its reasons once, in Bahasa Indonesia, naming a repeat or a related case by
its 24-character id ("Duplikat dari kasus 6b13…"); the page already asks intake for those
cases' titles and tracking codes, so it puts them in place of the ids it can name. An id the
person may not see stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from shared.contracts import CASE_ID_PATTERN

_CASE_ID: Final = re.compile(rf"\b{CASE_ID_PATTERN}\b")


def named_explanation(text: str | None, linked: Mapping[str, Mapping[str, Any]]) -> str:
    """``text`` with each case id of ``linked`` replaced by “title” (tracking code)."""

    def name(match: re.Match[str]) -> str:
        other = linked.get(match.group(0))
        if not other or not other.get("title"):
            return match.group(0)
        code = other.get("tracking_code")
        return f"“{other['title']}” ({code})" if code else f"“{other['title']}”"

    return _CASE_ID.sub(name, text or "")
