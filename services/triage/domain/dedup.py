"""Duplicate and related-case detection, and province-wide clusters of the same hoax.

A new case is compared with recent cases on three kinds of evidence:

- links: evidence URLs reduced to one canonical form (``urls``), so that the same post
  pasted from the app, the mobile site or a share button compares equal;
- people: the accused's NIP, or normalised name and agency;
- text: word-pair shingles of the normalised title and description (``text_signature``).
  Exact Jaccard over the shingle sets is used for scoring; MinHash only serves to derive
  index keys (:func:`blocking_keys`).

Every match carries the reasons that produced it, because an officer confirms it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from types import MappingProxyType
from typing import Final, Literal

from services.triage.domain.routing import fold_text, normalise_name, normalise_nip
from services.triage.domain.text_signature import (
    TextSignature,
    similarity,
    text_keys,
    text_signature,
)
from services.triage.domain.urls import UrlKind, canonical_url, url_kind, urls_in_text
from shared.regions import parse_region_code, province_of

MatchKind = Literal["duplicate", "related"]

# ---------------------------------------------------------------------------- people

_WORD = re.compile(r"[^\W_]+")

# A regency's agencies are named with the regency's name after them, or not, at random.
_REGION_WORDS: Final = frozenset({"kabupaten", "kota", "pemkab", "pemkot"})
_AGENCY_ABBREVIATIONS: Final = MappingProxyType(
    {
        "kab": "kabupaten",
        "kec": "kecamatan",
        "kel": "kelurahan",
        "ds": "desa",
        "disdik": "dinas pendidikan",
        "dinkes": "dinas kesehatan",
        "dinsos": "dinas sosial",
        "dishub": "dinas perhubungan",
        "distan": "dinas pertanian",
        "dispar": "dinas pariwisata",
        "dkp": "dinas kelautan dan perikanan",
        "diskominfo": "dinas komunikasi dan informatika",
        "bapenda": "badan pendapatan daerah",
        "bappeda": "badan perencanaan pembangunan daerah",
        "setda": "sekretariat daerah",
        "sekda": "sekretariat daerah",
        "satpol": "satuan polisi",
        "pp": "pamong praja",
        "sdn": "sd negeri",
        "smpn": "smp negeri",
        "sman": "sma negeri",
        "smkn": "smk negeri",
    }
)


def normalise_agency(agency: str | None) -> str:
    """Normalise an agency name: folded, common abbreviations expanded, no trailing region.

    ``"Disdik Kab. Karo"`` and ``"Dinas Pendidikan"`` both give ``"dinas pendidikan"``.
    """
    if not agency:
        return ""
    words: list[str] = []
    for raw in _WORD.findall(fold_text(agency)):
        words.extend(_AGENCY_ABBREVIATIONS.get(raw, raw).split())
    for i, word in enumerate(words):
        if i > 0 and word in _REGION_WORDS:
            words = words[:i]
            break
    return " ".join(words)


# ---------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class DedupFacts:
    """What duplicate detection knows about one case; built by :func:`facts_from`."""

    case_id: str
    tenant: str
    received_at: datetime
    category: str | None
    canonical_urls: frozenset[str]
    accused_nips: frozenset[str]
    accused_names: frozenset[tuple[str, str]]
    signature: TextSignature

    def __post_init__(self) -> None:
        parse_region_code(self.tenant)
        if self.received_at.utcoffset() is None:
            raise ValueError("received_at must be an aware datetime")

    @property
    def province(self) -> str:
        return province_of(self.tenant)


def facts_from(
    case_id: str,
    tenant: str,
    received_at: datetime,
    title: str,
    description: str,
    evidence_urls: Iterable[str],
    accused: Sequence[tuple[str, str | None, str | None]],
    category: str | None = None,
) -> DedupFacts:
    """Build the comparison facts of a case from its fields.

    ``accused`` holds (name, NIP or None, agency or None). Links written in the title or the
    description join the evidence links; links that are not http(s) are ignored.
    """
    links = [*evidence_urls, *urls_in_text(title), *urls_in_text(description)]
    urls = frozenset(u for u in map(canonical_url, links) if u is not None)
    nips = frozenset(n for n in (normalise_nip(nip) for _, nip, _ in accused) if n)
    people = [(normalise_name(name), normalise_agency(agency)) for name, _, agency in accused]
    names = frozenset((name, agency) for name, agency in people if name)
    return DedupFacts(
        case_id=case_id,
        tenant=tenant,
        received_at=received_at,
        category=category,
        canonical_urls=urls,
        accused_nips=nips,
        accused_names=names,
        signature=text_signature(f"{title}\n{description}"),
    )


def _matchable_urls(facts: DedupFacts) -> dict[str, UrlKind]:
    kinds = {u: url_kind(u) for u in facts.canonical_urls}
    return {u: k for u, k in kinds.items() if k != "site"}


def _name_keys(facts: DedupFacts) -> set[str]:
    # A name alone is too common to link cases; with the agency and the regency it is not.
    # Every pair of name words is a key, so "aji rahmat" meets "aji rahmat hidayat".
    keys: set[str] = set()
    for name, agency in facts.accused_names:
        if not agency:
            continue
        words = sorted(set(name.split()))
        parts = [" ".join(p) for p in combinations(words, 2)] if len(words) > 1 else words
        keys.update(f"a:{facts.tenant}:{agency}:{part}" for part in parts)
    return keys


def link_keys(facts: DedupFacts) -> frozenset[str]:
    """The keys that link two cases whatever their dates and texts: the same post or
    account, the same accused (by NIP, or by name within an agency)."""
    keys = {f"u:{u}" for u in _matchable_urls(facts)}
    keys.update(f"n:{nip}" for nip in facts.accused_nips)
    keys.update(_name_keys(facts))
    return frozenset(keys)


# Words that begin or fill a great many Indonesian names (after normalise_name's variants).
_COMMON_NAME_WORDS: Final = frozenset(
    {"muhammad", "ahmad", "abdul", "siti", "nur", "nurul", "sri", "dewi", "putri", "putra"}
)


def _distinctive_word(words: set[str]) -> str:
    # Any fixed choice keeps person_keys' promise; the choice only decides how narrow the
    # index is. Long words that are not among the commonest name words are the rarest.
    return min(words, key=lambda w: (w in _COMMON_NAME_WORDS, -len(w), w))


def _name_words(facts: DedupFacts) -> list[tuple[set[str], str]]:
    """Each accused's name as its set of words and its most distinctive word."""
    named = [set(name.split()) for name, _ in facts.accused_names]
    return [(words, _distinctive_word(words)) for words in named]


def person_keys(facts: DedupFacts) -> frozenset[str]:
    """Index keys of the accused's names, for the text search of later cases: every word of
    each name (``w:``), and each name's most distinctive word (``d:``).

    Two names of which one holds the other's words (the only names :func:`needs_text` does
    not call other people) always share a key of one case's ``person_keys`` and the other's
    :func:`person_query_keys`: the smaller name's distinctive word is in the larger name.
    So the search reads only the earlier reports about possibly the same person, however
    many reports about other people one template produced.
    """
    keys: set[str] = set()
    for words, distinctive in _name_words(facts):
        keys.update(f"w:{w}" for w in words)
        keys.add(f"d:{distinctive}")
    return frozenset(keys)


def person_query_keys(facts: DedupFacts) -> frozenset[str]:
    """The keys to look up in earlier cases' :func:`person_keys`: each name's distinctive
    word among their words, and each word among their distinctive words."""
    keys: set[str] = set()
    for words, distinctive in _name_words(facts):
        keys.add(f"w:{distinctive}")
        keys.update(f"d:{w}" for w in words)
    return frozenset(keys)


def blocking_keys(facts: DedupFacts) -> frozenset[str]:
    """Index keys under which storage can find the candidates for :func:`find_matches`:
    the link keys and the text's keys.

    Two cases that :func:`find_matches` would link share at least one key, except for text
    matches, where the keys (MinHash bands and sampled shingles) find most but not all pairs.
    """
    return link_keys(facts) | text_keys(facts.signature)


# ---------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class DedupConfig:
    """Thresholds of the matcher; text thresholds apply to :func:`similarity`."""

    window: timedelta = timedelta(days=30)
    duplicate_similarity: float = 0.55
    related_similarity: float = 0.35
    cluster_similarity: float = 0.55
    min_cluster_tenants: int = 2
    max_matches: int = 20

    def __post_init__(self) -> None:
        if self.window <= timedelta(0):
            raise ValueError("window must be positive")
        if not 0 < self.related_similarity <= self.duplicate_similarity <= 1:
            raise ValueError("need 0 < related_similarity <= duplicate_similarity <= 1")
        if not 0 < self.cluster_similarity <= 1:
            raise ValueError("cluster_similarity must lie in (0, 1]")
        if self.min_cluster_tenants < 2 or self.max_matches < 1:
            raise ValueError("min_cluster_tenants must be >= 2 and max_matches >= 1")


@dataclass(frozen=True)
class Match:
    case_id: str
    kind: MatchKind
    score: float
    reasons: tuple[str, ...]


@dataclass
class _Evidence:
    duplicate: bool = False
    strengths: list[float] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def add(self, strength: float, reason: str, *, duplicate: bool = False) -> None:
        self.duplicate = self.duplicate or duplicate
        self.strengths.append(strength)
        self.reasons.append(reason)

    def match(self, case_id: str) -> Match | None:
        if not self.reasons:
            return None
        # Noisy-OR: independent signals add up, and only a shared post reaches 1.
        miss = 1.0
        for strength in self.strengths:
            miss *= 1.0 - strength
        kind: MatchKind = "duplicate" if self.duplicate else "related"
        return Match(case_id, kind, round(1.0 - miss, 3), tuple(self.reasons))


# How strongly each non-text signal links two cases, for ranking; text signals count with
# their similarity.
_STRENGTH_SAME_POST: Final = 1.0
_STRENGTH_NIP: Final = 0.8
_STRENGTH_SAME_POST_FAR: Final = 0.7
_STRENGTH_NAME_AGENCY: Final = 0.6
_STRENGTH_ACCOUNT: Final = 0.5


def _compare(
    candidate: DedupFacts,
    other: DedupFacts,
    config: DedupConfig,
    candidate_urls: dict[str, UrlKind],
) -> Match | None:
    in_window = abs(candidate.received_at - other.received_at) <= config.window
    shared = candidate_urls.keys() & other.canonical_urls
    if not (in_window or shared):
        return None  # the common case when storage hands over a long history: stop early
    evidence = _Evidence()
    same_tenant = candidate.tenant == other.tenant
    where = "" if same_tenant else f" (wilayah lain {other.tenant})"

    if any(candidate_urls[u] == "content" for u in shared):
        if same_tenant and in_window and _accused_differ(candidate, other):
            # One post, two clearly different people (a group photo, a shared poster): each
            # is a discipline case of its own, so neither may be silenced as a duplicate.
            evidence.add(_STRENGTH_SAME_POST_FAR, "tautan bukti sama, terlapor berbeda")
        elif same_tenant and in_window:
            evidence.add(_STRENGTH_SAME_POST, "tautan bukti sama", duplicate=True)
        else:
            late = "" if in_window else ", di luar jendela waktu"
            evidence.add(_STRENGTH_SAME_POST_FAR, f"tautan bukti sama{where}{late}")
    if not in_window:
        return evidence.match(other.case_id)
    if any(candidate_urls[u] == "account" for u in shared):
        evidence.add(_STRENGTH_ACCOUNT, "akun yang ditautkan sama" + where)

    if not candidate.accused_nips.isdisjoint(other.accused_nips):
        evidence.add(_STRENGTH_NIP, "terlapor sama (NIP)" + where)
    elif same_tenant and _same_name_and_agency(candidate, other):
        evidence.add(_STRENGTH_NAME_AGENCY, "terlapor sama (nama dan instansi)")

    if needs_text(candidate, other, config):
        score = similarity(candidate.signature, other.signature)
        if score >= config.duplicate_similarity:
            evidence.add(score, f"teks mirip {score:.2f}" + where, duplicate=same_tenant)
        elif score >= config.related_similarity and _categories_agree(candidate, other):
            evidence.add(score, f"teks agak mirip {score:.2f}" + where)
    return evidence.match(other.case_id)


def needs_text(candidate: DedupFacts, other: DedupFacts, config: DedupConfig) -> bool:
    """Whether :func:`find_matches` compares the two texts: only within the window, and only
    when the accused are not clearly other people. Storage reads the shingles of just these
    candidates (the others' texts cannot change the outcome)."""
    in_window = abs(candidate.received_at - other.received_at) <= config.window
    return in_window and not _accused_differ(candidate, other)


def _same_name(a: str, b: str) -> bool:
    """Equal, or one name is the other with words left out ("aji rahmat", "aji rahmat hidayat").

    A single word is too common to be matched inside a longer name.
    """
    if a == b:
        return True
    words_a, words_b = set(a.split()), set(b.split())
    return min(len(words_a), len(words_b)) > 1 and (words_a <= words_b or words_b <= words_a)


def _same_name_and_agency(a: DedupFacts, b: DedupFacts) -> bool:
    return any(
        agency_a and agency_a == agency_b and _same_name(name_a, name_b)
        for name_a, agency_a in a.accused_names
        for name_b, agency_b in b.accused_names
    )


def _accused_differ(a: DedupFacts, b: DedupFacts) -> bool:
    """Whether both cases name their accused and these are clearly other people.

    Reports written from one template ("ASN ikut kampanye di Desa ...") or by the same
    monitoring job look alike whoever they are about; their text says nothing then.
    """
    if a.accused_nips and b.accused_nips:
        return a.accused_nips.isdisjoint(b.accused_nips)
    if not (a.accused_names and b.accused_names):
        return False
    return not any(
        set(name_a.split()) <= set(name_b.split()) or set(name_b.split()) <= set(name_a.split())
        for name_a, _ in a.accused_names
        for name_b, _ in b.accused_names
    )


def _categories_agree(a: DedupFacts, b: DedupFacts) -> bool:
    # Moderately similar texts in two different categories share a setting (same village,
    # same candidate), not an event.
    return a.category is None or b.category is None or a.category == b.category


def find_matches(
    candidate: DedupFacts, existing: Iterable[DedupFacts], config: DedupConfig
) -> list[Match]:
    """Cases that ``candidate`` duplicates or relates to, best first, at most ``max_matches``.

    ``duplicate``: same regency and, within the window, the same evidence post (unless the
    two name clearly different accused) or a text at least ``duplicate_similarity`` alike.
    ``related``: within the window the same accused (NIP anywhere, name and agency in the
    same regency), the same linked account, a text at least ``related_similarity`` alike, or
    a duplicate-level signal across regencies or about other people; and the same evidence
    post at any time.
    """
    candidate_urls = _matchable_urls(candidate)
    matches: list[Match] = []
    for other in existing:
        if other.case_id != candidate.case_id:
            match = _compare(candidate, other, config, candidate_urls)
            if match is not None:
                matches.append(match)
    matches.sort(key=lambda m: (m.kind != "duplicate", -m.score, m.case_id))
    return matches[: config.max_matches]


# ---------------------------------------------------------------------------- clusters


@dataclass(frozen=True)
class Cluster:
    """The same hoax reported in several regencies of one province.

    ``key`` is the province and the first report of the cluster, so it stays the same while
    later reports join.
    """

    key: str
    province: str
    case_ids: tuple[str, ...]
    tenants: tuple[str, ...]


def _linked(a: DedupFacts, b: DedupFacts, config: DedupConfig) -> bool:
    if abs(a.received_at - b.received_at) > config.window:
        return False
    shared = a.canonical_urls & b.canonical_urls
    if any(url_kind(u) == "content" for u in shared):
        return True
    if _accused_differ(a, b):
        return False
    return similarity(a.signature, b.signature) >= config.cluster_similarity


def province_clusters(facts_list: Iterable[DedupFacts], config: DedupConfig) -> list[Cluster]:
    """Group reports of the same hoax (same post, or nearly the same text) per province.

    Only groups spanning at least ``min_cluster_tenants`` regencies are returned, widest
    first. Candidate pairs come from shared :func:`blocking_keys`, so the work grows with
    the number of look-alike reports rather than with the square of all reports.
    """
    facts = sorted(facts_list, key=lambda f: (f.received_at, f.case_id))
    parent = list(range(len(facts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    postings: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(facts):
        for key in blocking_keys(f):
            if key.startswith(("u:", "t:")):
                postings[(f.province, key)].append(i)
    seen: set[tuple[int, int]] = set()
    for members in postings.values():
        for i, j in combinations(members, 2):
            if (i, j) in seen or root(i) == root(j):
                continue
            seen.add((i, j))
            if _linked(facts[i], facts[j], config):
                earlier, later = sorted((root(i), root(j)))
                parent[later] = earlier  # the first report stays the root

    groups: defaultdict[int, list[DedupFacts]] = defaultdict(list)
    for i, f in enumerate(facts):
        groups[root(i)].append(f)
    clusters = []
    for group in groups.values():
        tenants = tuple(sorted({f.tenant for f in group}))
        if len(tenants) < config.min_cluster_tenants:
            continue
        first = group[0]  # a group keeps the received order, so this is the first report
        clusters.append(
            Cluster(
                key=f"{first.province}:{first.case_id}",
                province=first.province,
                case_ids=tuple(f.case_id for f in group),
                tenants=tenants,
            )
        )
    clusters.sort(key=lambda c: (-len(c.tenants), -len(c.case_ids), c.key))
    return clusters
