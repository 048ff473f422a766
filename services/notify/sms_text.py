"""Fitting an alert into one SMS: at most 160 characters, never a word cut in half.

160 characters hold only for the GSM 7-bit alphabet; one character outside it (a curly quote
pasted into a case title, an ellipsis) turns the whole message into UCS-2 with 70 characters
per part. So the text is first reduced to plain ASCII, then shortened word by word.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

SMS_LIMIT = 160
ELLIPSIS = "..."

# Typographic characters people paste, with the ASCII an SMS can carry.
_REPLACEMENTS = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)
# ASCII characters that the GSM 7-bit default alphabet lacks or stores as two characters.
_NOT_GSM = str.maketrans(
    {
        "`": "'",
        "[": "(",
        "]": ")",
        "{": "(",
        "}": ")",
        "\\": "/",
        "^": "",
        "|": "/",
        "~": "-",
    }
)


def gsm_safe(text: str) -> str:
    """``text`` with accents stripped and every character in the single-width GSM alphabet."""
    text = text.translate(_REPLACEMENTS)
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    return ascii_text.translate(_NOT_GSM)


def shorten(text: str, keep: Iterable[str] = (), limit: int = SMS_LIMIT) -> str:
    """``text`` in at most ``limit`` characters, keeping whole words and every ``keep`` word.

    Words are kept from the start while they fit; at the first one that does not, the text
    is cut before it and marked with "...", and only the words containing a ``keep`` token
    (the case code, the link) follow. A word is dropped, never split. If the kept words alone
    cannot fit, the later ones are dropped too (the link before the code, as the code lets an
    officer find the case without it).
    """
    words = text.split()
    joined = " ".join(words)
    if len(joined) <= limit:
        return joined
    tokens = [t for t in keep if t]
    protected = [any(t in w for t in tokens) for w in words]
    # Budget the protected words first, in order, dropping from the end if they overflow.
    must = [i for i, p in enumerate(protected) if p]
    while must and _length([words[i] for i in must]) + len(ELLIPSIS) + 1 > limit:
        must.pop()
    chosen = set(must)
    for i in range(len(words)):
        if protected[i]:
            continue
        trial = [words[j] for j in sorted({*chosen, i})]
        if _length(trial) + len(ELLIPSIS) + 1 > limit:
            break  # cut here: later words would leave a gap in the middle of the text
        chosen.add(i)
    out: list[str] = []
    marked = False
    for i, word in enumerate(words):
        if i in chosen:
            out.append(word)
        elif not marked:
            out.append(ELLIPSIS)  # one mark where the text was cut
            marked = True
    return " ".join(out)


def _length(words: list[str]) -> int:
    return len(" ".join(words))


def fit_sms(text: str, keep: Iterable[str] = (), limit: int = SMS_LIMIT) -> str:
    """GSM-safe and shortened: what the SMS channel sends."""
    safe_keep = [gsm_safe(k) for k in keep]
    return shorten(gsm_safe(text), safe_keep, limit)
