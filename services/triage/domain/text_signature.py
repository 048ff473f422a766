"""Signatures of a report's text for duplicate detection: word-pair shingles of the
normalised text, compared by exact Jaccard (cheap for texts of a few hundred words, and more
accurate than an estimate), and a MinHash that only serves to derive index keys.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import pairwise
from types import MappingProxyType
from typing import Final

from services.triage.domain.routing import fold_text
from services.triage.domain.urls import blank_urls

# Function words, chat filler and report boilerplate: they say nothing about which event a
# report is about, and shingles made of them would link unrelated reports.
# fmt: off
_STOPWORDS: Final = frozenset(
    {
        "yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "pada", "dalam",
        "adalah", "akan", "juga", "sudah", "telah", "oleh", "sebagai", "atau", "ada", "karena",
        "bahwa", "saja", "lagi", "pun", "ya", "kan", "sih", "dong", "deh", "nih", "tuh", "lah",
        "kah", "jadi", "agar", "supaya", "bisa", "dapat", "harus", "masih", "sedang", "para",
        "tersebut", "tsb", "nya", "se", "kami", "kita", "saya", "aku", "kamu", "anda", "mereka",
        "ia", "dia", "beliau", "kepada", "bagi", "hal", "apa", "siapa", "mana", "kapan",
        "bagaimana", "tadi", "mohon", "terima", "kasih", "hormat", "melaporkan", "laporkan",
        "lapor", "admin", "min", "mimin", "assalamualaikum", "wr", "wb", "salam", "tolong",
        "segera", "ditindaklanjuti", "ditindak", "lanjuti", "tindak", "lanjut", "berikut",
        "sbb", "bapak", "ibu", "pak", "bu", "bpk", "sdr", "kak", "gan", "om",
    }
)
# fmt: on
# Chat spellings that would otherwise make the same sentence look different.
# fmt: off
_SPELLINGS: Final = MappingProxyType(
    {
        "yg": "yang", "dgn": "dengan", "dg": "dengan", "utk": "untuk", "untk": "untuk",
        "tdk": "tidak", "gak": "tidak", "ga": "tidak", "nggak": "tidak", "enggak": "tidak",
        "engga": "tidak", "gk": "tidak", "tak": "tidak", "sdh": "sudah", "udah": "sudah",
        "udh": "sudah", "blm": "belum", "krn": "karena", "karna": "karena", "jg": "juga",
        "aja": "saja", "trs": "terus", "lg": "lagi", "org": "orang", "kmrn": "kemarin",
        "bgt": "banget", "kab": "kabupaten", "kec": "kecamatan", "kel": "kelurahan",
        "ds": "desa", "wa": "whatsapp", "fb": "facebook", "ig": "instagram", "hoax": "hoaks",
        "hoaxs": "hoaks", "hoak": "hoaks", "pilbup": "pilkada", "pilwalkot": "pilkada",
        "pilgub": "pilkada", "no": "nomor", "nmr": "nomor", "nomer": "nomor",
    }
)
# fmt: on
_WORD = re.compile(r"[^\W_]+")
_REPEATS = re.compile(r"(.)\1{2,}")
_PARTICLE_MIN_STEM: Final = 4
# Bits of a shingle hash: the values must fit a signed 64-bit integer in the database.
_HASH_MASK: Final = (1 << 63) - 1
_MERSENNE: Final = (1 << 61) - 1
_MINHASH_BANDS: Final = 8
_MINHASH_ROWS: Final = 2
# A shingle whose hash is divisible by this becomes an index key ("anchor"). The choice
# depends on the shingle alone, so a text quoted inside a longer report keeps its anchors.
_ANCHOR_MODULUS: Final = 4
_MAX_ANCHORS: Final = 64
# Containment (share of the shorter text found in the longer one) catches a hoax quoted
# inside a report; it is trusted less than Jaccard and only for texts long enough that a few
# common phrases cannot make them "contained".
_CONTAINMENT_WEIGHT: Final = 0.9
_CONTAINMENT_MIN_SHINGLES: Final = 12


def _hash64(text: str) -> int:
    # Python's own str hash changes per process; stored signatures must not.
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & _HASH_MASK


def _permutation(i: int) -> tuple[int, int]:
    digest = hashlib.blake2b(f"pantau-minhash-{i}".encode(), digest_size=16).digest()
    a = int.from_bytes(digest[:8], "big") % (_MERSENNE - 1) + 1
    b = int.from_bytes(digest[8:], "big") % _MERSENNE
    return a, b


_PERMUTATIONS: Final = tuple(_permutation(i) for i in range(_MINHASH_BANDS * _MINHASH_ROWS))


@dataclass(frozen=True)
class TextSignature:
    """Hashed word-pair shingles of a normalised text and their MinHash (for index keys)."""

    shingles: frozenset[int]
    minhash: tuple[int, ...]


def text_tokens(text: str) -> list[str]:
    """Content words of a text: folded, chat spellings expanded, filler and links removed."""
    tokens: list[str] = []
    for raw in _WORD.findall(fold_text(blank_urls(text))):
        # "bohonggg" is "bohong"; digits are left alone, "1000" is not "10".
        collapsed = _REPEATS.sub(r"\1", raw) if raw.isalpha() else raw
        word = _SPELLINGS.get(collapsed, collapsed)
        if word.isdecimal():
            word = word.lstrip("0") or "0"  # "paslon 02" is "paslon 2"
        elif word.endswith("nya") and len(word) - 3 >= _PARTICLE_MIN_STEM:
            word = word[:-3]  # "fotonya" is "foto"
        if word not in _STOPWORDS:
            tokens.append(word)
    return tokens


def text_signature(text: str) -> TextSignature:
    """Signature of a report's text for :func:`similarity` and :func:`blocking_keys`."""
    tokens = text_tokens(text)
    grams = [" ".join(pair) for pair in pairwise(tokens)] or tokens
    shingles = frozenset(_hash64(g) for g in grams)
    if not shingles:
        return TextSignature(frozenset(), ())
    minhash = tuple(min((a * x + b) % _MERSENNE for x in shingles) for a, b in _PERMUTATIONS)
    return TextSignature(shingles, minhash)


def similarity(a: TextSignature, b: TextSignature) -> float:
    """Similarity of two texts in [0, 1]: Jaccard of their shingles, or the weighted share of
    the shorter text found in the longer one when that is higher (a quoted hoax)."""
    small, large = sorted((a.shingles, b.shingles), key=len)
    if not small:
        return 0.0
    common = len(small & large)
    jaccard = common / (len(small) + len(large) - common)
    if len(small) < _CONTAINMENT_MIN_SHINGLES:
        return jaccard
    return max(jaccard, _CONTAINMENT_WEIGHT * common / len(small))


def text_keys(signature: TextSignature) -> set[str]:
    """Index keys of a text: its MinHash bands and a sample of its shingles (``anchors``)."""
    keys: set[str] = set()
    rows = _MINHASH_ROWS
    for band in range(len(signature.minhash) // rows):
        values = signature.minhash[band * rows : (band + 1) * rows]
        keys.add(f"t:b{band}:{_hash64(repr(values)):x}")
    anchors = sorted(h for h in signature.shingles if h % _ANCHOR_MODULUS == 0)
    keys.update(f"t:a:{h:x}" for h in anchors[:_MAX_ANCHORS])
    return keys
