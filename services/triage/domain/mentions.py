"""Which people a report mentions: the candidates an officer declared a conflict with.

A case names its accused in structured fields, but the candidate pair it is about appears
only in the text ("... mendukung paslon Budi Santoso - Rahmat ..."). Officers list the
people they must not judge (names or NIPs); a listed name that occurs in the text as whole
words, after the same normalisation as names (titles, honorifics, spelling variants), counts
as mentioned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from services.triage.domain.routing import fold_text, normalise_name, normalise_nip

_WORD = re.compile(r"[a-z0-9]+")
# A NIP written with or without the usual spaces or dots between its parts.
_NIP_IN_TEXT = re.compile(r"(?<!\d)\d(?:[ .]?\d){17}(?!\d)")
# Clan markers in Batak names are as often left out as written (routing does the same).
_DROPPED = frozenset({"br", "boru"})


def _text_words(text: str) -> str:
    words: list[str] = []
    for raw in _WORD.findall(fold_text(text)):
        if raw in _DROPPED:
            continue
        # normalise_name maps spelling variants ("muh" → "muhammad") and drops titles.
        words.extend(normalise_name(raw).split())
    return f" {' '.join(words)} "


def mentioned_people(text: str, people: Iterable[str]) -> frozenset[str]:
    """The entries of ``people`` (names or NIPs, as officers wrote them) found in ``text``."""
    entries = [p for p in people if p and p.strip()]
    if not entries or not text:
        return frozenset()
    nips = {n for n in map(normalise_nip, _NIP_IN_TEXT.findall(text)) if n}
    words = _text_words(text)
    found: set[str] = set()
    for entry in entries:
        nip = normalise_nip(entry)
        if nip is not None:
            if nip in nips:
                found.add(entry)
            continue
        name = normalise_name(entry)
        if name and f" {name} " in words:
            found.add(entry)
    return frozenset(found)
