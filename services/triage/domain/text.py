"""Indonesian text normalisation and phrase matching for the triage lexicon.

Reports arrive in two registers: official report language ("diduga mengunggah ...") and
chat style ("pns ngeshare status wa paslon"). Both are brought to the same word forms
before matching: case folding, accents and elongations removed ("bangettt"), informal
spellings and abbreviations expanded from the rules' table, reduplication digits dropped
("ibu2"), stopwords removed and affixes stripped.

Affix stripping is guided by the lexicon's own vocabulary: a prefix or suffix is only
removed when that yields a word the rules know, so "dibagikan" matches the phrase "bagikan"
and "mengomentari" the phrase "komentar", while words the rules never mention are left
alone. Without a vocabulary, :func:`stem` applies the plain, conservative rules.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

# A run of letters, optionally followed by a reduplication "2" (ibu2, bagi2), or a run of
# digits. Letters and digits are split so "2jari" reads as "2 jari".
_WORD_RE = re.compile(r"[^\W\d_]+(?:2(?!\d))?|\d+")
_ELONGATION_RE = re.compile(r"(\w)\1{2,}")
_PROXIMITY_MARK = "..."

_MIN_ROOT = 3
_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
# "-in" is the colloquial "-kan" (nyebarin, kumpulin). "-an" stays: with ke- it makes
# nouns of their own (kecamatan is not camat, kelurahan is not lurah).
_DERIVATIONAL = ("kan", "in", "i")
_VOWELS = frozenset("aeiou")
# ke-/se- start too many roots (kepala, sekolah) to be removed without a vocabulary to
# confirm the result.
_SIMPLE_PREFIXES = ("ber", "ter", "per", "di", "ke", "se")
_GUIDED_ONLY_PREFIXES = frozenset({"ke", "se"})

# Memory bound for the per-normaliser word cache: monitoring bursts may bring many
# distinct words, and a cache that only grows would become a leak.
_CACHE_LIMIT = 50_000


def fold(word: str) -> str:
    """Lower-case a word and drop accents and letters repeated three times or more."""
    folded = unicodedata.normalize("NFKD", word.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _ELONGATION_RE.sub(r"\1", plain)


def _prefix_forms(word: str, plain: bool = False) -> list[str]:
    """Candidate roots after removing one prefix, most likely reading first.

    Nasal prefixes replace the root's first consonant (me+pilih = memilih, me+tulis =
    menulis, me+sukai = menyukai), so a vowel after the prefix has two readings. The
    ``plain`` mode, used without a vocabulary to check against, wants longer roots and
    leaves ke-/se- alone (sekolah, kepala).
    """
    out: list[str] = []
    shortest = _MIN_ROOT + 1 if plain else _MIN_ROOT

    def add(root: str) -> None:
        if len(root) >= shortest:
            out.append(root)

    if word.startswith("menge"):
        add(word[5:])
    if word.startswith("meng"):
        rest = word[4:]
        if rest[:1] in _VOWELS:
            add(rest)
            add("k" + rest)
        elif rest[:1] in ("g", "h", "k"):
            add(rest)
    elif word.startswith("meny") and word[4:5] in _VOWELS:
        add("s" + word[4:])
        add("c" + word[4:])
    elif word.startswith("mem"):
        rest = word[3:]
        if rest[:1] in ("b", "f", "p", "v"):
            add(rest)
        elif rest[:1] in _VOWELS:
            add("p" + rest)
            add("m" + rest)
    elif word.startswith("men"):
        rest = word[3:]
        if rest[:1] in ("c", "d", "j", "s", "t", "z"):
            add(rest)
        elif rest[:1] in _VOWELS:
            add("t" + rest)
            add("n" + rest)
    elif word.startswith("me") and word[2:3] in ("l", "m", "n", "r", "w", "y"):
        add(word[2:])
    elif word.startswith("ng") and word[2:3] in _VOWELS:
        # "nge-" before a word (ngeshare) or "ng-" before a vowel root (ngejek, ngajak).
        if word.startswith("nge"):
            add(word[3:])
        add(word[2:])
        add("k" + word[2:])
    elif word.startswith("ny") and word[2:3] in _VOWELS:
        add("s" + word[2:])
        add("c" + word[2:])
    else:
        for prefix in _SIMPLE_PREFIXES:
            if word.startswith(prefix):
                if not (plain and prefix in _GUIDED_ONLY_PREFIXES):
                    add(word[len(prefix) :])
                break
    return out


def _suffix_forms(word: str) -> list[str]:
    """The word with ever more suffixes removed: particle, possessive, derivational."""
    forms = [word]
    current = word
    for group in (_PARTICLES, _POSSESSIVES):
        for suffix in group:
            if current.endswith(suffix) and len(current) - len(suffix) >= _MIN_ROOT:
                current = current[: -len(suffix)]
                forms.append(current)
                break
    for suffix in _DERIVATIONAL:
        if current.endswith(suffix) and len(current) - len(suffix) >= _MIN_ROOT:
            forms.append(current[: -len(suffix)])
    return forms


def _candidates(word: str) -> Iterable[str]:
    """Every reading of ``word`` from least to most stripped (up to two prefixes)."""
    for form in _suffix_forms(word):
        yield form
        for once in _prefix_forms(form):
            yield once
            # Stacked prefixes: di+per+lihat+kan, mem+per+..., di+ber+...
            if once.startswith(("per", "ber", "ter")):
                yield from _prefix_forms(once)


def _plain_stem(word: str) -> str:
    """Dictionary-free stemming: only the unambiguous, common affixes.

    Particles (-lah, -kah) and the short possessives (-ku, -mu) stay, because too many
    roots end that way (sekolah, masalah, ilmu, temu).
    """
    current = word
    if current.endswith("nya") and len(current) - 3 >= _MIN_ROOT + 1:
        current = current[:-3]
    prefixed = _prefix_forms(current, plain=True)
    if prefixed:
        current = prefixed[0]
        if current.startswith("per"):
            current = next(iter(_prefix_forms(current, plain=True)), current)
    if current.endswith(("kan", "in")) and len(current) - 3 >= _MIN_ROOT:
        current = current[:-3] if current.endswith("kan") else current[:-2]
    # "-i" is also the last letter of many roots (mutasi, instruksi), so it only goes
    # when a prefix showed the word was derived (menyukai, mengikuti).
    elif prefixed and current.endswith("i") and len(current) - 1 >= _MIN_ROOT + 1:
        current = current[:-1]
    return current


def stem(word: str, vocabulary: Collection[str] | None = None) -> str:
    """Reduce an Indonesian word to the form the lexicon uses.

    With a ``vocabulary``, the first reading (least stripped first) that the vocabulary
    contains wins and unknown words come back unchanged; without one, the plain rules
    apply (``dibagikan``, ``membagikan`` and ``bagikan`` all give ``bagi``).
    """
    word = fold(word)
    if not word.isalpha() or len(word) <= _MIN_ROOT:
        return word
    if vocabulary is None:
        return _plain_stem(word)
    if word in vocabulary:
        return word
    for candidate in _candidates(word):
        if candidate in vocabulary:
            return candidate
    return word


@dataclass(frozen=True, slots=True)
class Tokens:
    """Normalised words of one text, and where in the text each came from."""

    text: str
    words: tuple[str, ...]
    origin: tuple[int, ...]  # for each word, the index of the raw token it came from
    raw: tuple[re.Match[str], ...]  # the raw tokens, before expansion and stopwords
    markers: int  # raw tokens that are common Indonesian words

    @property
    def source_words(self) -> int:
        return len(self.raw)

    def excerpt(self, start: int, end: int) -> str:
        """The original text behind words ``start`` to ``end`` (exclusive)."""
        if start >= end:
            return ""
        first, last = self.raw[self.origin[start]], self.raw[self.origin[end - 1]]
        return self.text[first.start() : last.end()]


class Normalizer:
    """Turns text into lexicon words; built once per rule set, then reused.

    ``abbreviations`` keys written in lower case match any casing; keys with a capital
    letter match only that exact spelling, so "X" (the platform) can expand while the
    "x" in "3 x 24 jam" does not.
    """

    def __init__(
        self,
        abbreviations: Mapping[str, str],
        stopwords: Iterable[str] = (),
        markers: Iterable[str] = (),
        vocabulary: Iterable[str] = (),
    ) -> None:
        self._exact: dict[str, tuple[str, ...]] = {}
        self._folded: dict[str, tuple[str, ...]] = {}
        for key, value in abbreviations.items():
            expansion = tuple(fold(w) for w in _WORD_RE.findall(value))
            if key != key.lower():
                self._exact[key] = expansion
            else:
                self._folded[fold(key)] = expansion
        self._stopwords = frozenset(fold(w) for w in stopwords)
        self._markers = frozenset(fold(w) for w in markers)
        self.vocabulary = frozenset(vocabulary)
        self._cache: dict[str, tuple[tuple[str, ...], bool]] = {}

    def expand(self, raw: str) -> tuple[str, ...]:
        """Words a raw token stands for: reduplication, abbreviations, folding."""
        if raw in self._exact:
            return self._exact[raw]
        if len(raw) > 2 and raw.endswith("2") and raw[:-1].isalpha():
            raw = raw[:-1]
        word = fold(raw)
        found = self._folded.get(word)
        if found is not None:
            return found
        # "fbnya", "sknya": an abbreviation carrying a possessive.
        if word.endswith("nya") and word[:-3] in self._folded:
            return self._folded[word[:-3]]
        return (word,)

    def _lexical(self, raw: str) -> tuple[tuple[str, ...], bool]:
        """The words a raw token contributes, and whether it reads as Indonesian."""
        cached = self._cache.get(raw)
        if cached is not None:
            return cached
        expanded = self.expand(raw)
        words = tuple(stem(w, self.vocabulary) for w in expanded if w not in self._stopwords)
        result = (words, any(w in self._markers for w in expanded))
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[raw] = result
        return result

    def tokens(self, text: str) -> Tokens:
        """Tokenise and normalise ``text``, keeping where each word came from."""
        # Comprehensions over cached entries: this runs for every word of every case.
        raw = tuple(_WORD_RE.finditer(text))
        cache = self._cache
        entries = [cache.get(m.group()) or self._lexical(m.group()) for m in raw]
        words = tuple([w for lexical, _ in entries for w in lexical])
        origin = tuple([i for i, (lexical, _) in enumerate(entries) for _ in lexical])
        markers = sum([is_marker for _, is_marker in entries])
        return Tokens(text, words, origin, raw, markers)

    def phrase_words(self, phrase: str) -> tuple[str, ...]:
        """Words of a lexicon phrase part, expanded the same way as report text."""
        out: list[str] = []
        for raw in _WORD_RE.findall(phrase):
            out.extend(w for w in self.expand(raw) if w not in self._stopwords)
        return tuple(stem(w, self.vocabulary) for w in out)

    def phrase_parts(self, phrase: str) -> tuple[tuple[str, ...], ...]:
        """A phrase split at "..." into parts that must appear in order, close together."""
        return tuple(self.phrase_words(part) for part in phrase.split(_PROXIMITY_MARK))


class Hit(NamedTuple):
    """One occurrence of a phrase: its key and the word ranges of each of its parts."""

    key: int
    parts: tuple[tuple[int, int], ...]  # (start, end) word indexes, end exclusive
    start: int
    end: int
    size: int  # words the phrase itself matched (gaps between parts excluded)

    def covers(self, other: Hit) -> bool:
        """Whether every part of ``other`` lies inside one of this hit's parts."""
        return all(
            any(start <= o_start and o_end <= end for start, end in self.parts)
            for o_start, o_end in other.parts
        )


class PhraseMatcher:
    """Finds many phrases in one pass over the words.

    A phrase is a tuple of parts; a one-part phrase must match contiguous words, further
    parts must each start within ``window`` words after the previous part ended. Phrases
    are indexed by their first word, or first two words when their first part has two,
    so the cost grows with the length of the text, not with the size of the lexicon.
    """

    def __init__(self, phrases: Sequence[tuple[tuple[str, ...], ...]], window: int) -> None:
        self._phrases = tuple(phrases)
        self._window = window
        singles: dict[str, int] = {}
        by_word: dict[str, list[int]] = {}
        by_pair: dict[tuple[str, str], list[int]] = {}
        for key, parts in enumerate(self._phrases):
            first = parts[0]
            if len(parts) == 1 and len(first) == 1:
                singles[first[0]] = key
            elif len(first) == 1:
                by_word.setdefault(first[0], []).append(key)
            else:
                by_pair.setdefault((first[0], first[1]), []).append(key)
        # One look-up per word of text: (single-word phrase key or -1, phrases that start
        # with this word and need checking, whether a two-word start is possible).
        heads = {first for first, _ in by_pair}
        self._entries: dict[str, tuple[int, tuple[int, ...], bool]] = {
            word: (singles.get(word, -1), tuple(by_word.get(word, ())), word in heads)
            for word in {*singles, *by_word, *heads}
        }
        self._by_pair = {pair: tuple(keys) for pair, keys in by_pair.items()}
        # Every word a phrase needs: most candidates fail on a word the text lacks.
        self._needs = tuple(frozenset(w for part in parts for w in part) for parts in phrases)
        # The longest stretch of text one hit can span, to bound the containment search.
        self._max_span = max(
            (sum(map(len, parts)) + window * (len(parts) - 1) for parts in self._phrases),
            default=0,
        )

    def find(self, words: Sequence[str], longest_only: bool = True) -> list[Hit]:
        """All occurrences, in text order.

        With ``longest_only``, an occurrence whose words all belong to a longer occurrence
        is dropped: "alat peraga kampanye" does not also count as "kampanye", nor
        "ajak ... pilih" also as "ajak". The same words are never counted twice.
        """
        words = tuple(words)
        hits: list[Hit] = []
        entries = self._entries
        by_pair = self._by_pair
        needs = self._needs
        present = frozenset(words)
        n = len(words)
        for i, word in enumerate(words):
            entry = entries.get(word)
            if entry is None:
                continue
            single, keys, pair_head = entry
            if single >= 0:
                hits.append(Hit(single, ((i, i + 1),), i, i + 1, 1))
            if pair_head and i + 1 < n:
                keys += by_pair.get((word, words[i + 1]), ())
            for key in keys:
                if needs[key] <= present:
                    hit = self._match_at(words, n, i, key)
                    if hit is not None:
                        hits.append(hit)
        if longest_only and len(hits) > 1:
            hits = self._drop_contained(hits)
        return hits

    def _match_at(self, words: tuple[str, ...], n: int, i: int, key: int) -> Hit | None:
        parts = self._phrases[key]
        first = parts[0]
        end = i + len(first)
        if end > n or words[i:end] != first:
            return None
        spans = [(i, end)]
        size = len(first)
        for part in parts[1:]:
            width = len(part)
            head = part[0]
            limit = min(n - width, end + self._window)
            for j in range(end, limit + 1):
                if words[j] == head and words[j : j + width] == part:
                    end = j + width
                    spans.append((j, end))
                    size += width
                    break
            else:
                return None
        return Hit(key, tuple(spans), i, end, size)

    def _drop_contained(self, hits: list[Hit]) -> list[Hit]:
        # Only multi-word hits can contain others. They are found in start order, and only
        # those starting at most _max_span words before a hit's end can contain it, which
        # keeps long texts linear.
        containers = [h for h in hits if h.size > 1]
        if not containers:
            return hits
        starts = [h.start for h in containers]
        max_span = self._max_span
        kept = []
        for hit in hits:
            _, _, start, end, size = hit
            lo = bisect_left(starts, end - max_span)
            hi = bisect_right(starts, start)
            for j in range(lo, hi):
                other = containers[j]
                if (
                    other.size > size
                    and other.end >= end
                    and other.start <= start
                    and other.covers(hit)
                ):
                    break
            else:
                kept.append(hit)
        return kept


def url_host(url: str) -> str | None:
    """The host of an evidence link, lower-cased and without "www.", or None.

    Links are often pasted without a scheme ("fb.com/abc", "tiktok.com/@x").
    """
    text = url.strip()
    if not text or any(ch.isspace() for ch in text):
        return None
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") else host


def host_suffixes(host: str) -> list[str]:
    """The host and each parent domain: m.facebook.com, facebook.com (not "com")."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]
