"""The rules' reading of a case: a violation category with the evidence that decided it.

This half of triage's proposal is a weighted lexicon: every point of a score comes from a
phrase an officer can read in the rules and find in the report, so each proposal can be
explained and challenged (UU 27/2022 lets people object to automated decisions; triage only
proposes, an officer confirms). ``proposal.py`` reads it beside the learned model, which
catches what the lexicon's words miss.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from services.triage.domain.rules import FALLBACK_CATEGORY, Rules
from services.triage.domain.text import Tokens, host_suffixes, url_host

if TYPE_CHECKING:
    from services.triage.domain.learned import Neighbour

FIELD_TITLE = "title"
FIELD_DESCRIPTION = "description"
FIELD_EVIDENCE = "evidence_urls"

FLAG_EMPTY = "teks_kosong"
FLAG_UNREADABLE = "bahasa_tidak_dikenali"
FLAG_TRUNCATED = "teks_dipotong"
# Set by the proposal: the report talks about the election but describes no breach.
FLAG_NO_BREACH = "pemilihan_tanpa_pelanggaran"
FLAG_SCATTERED = "terlalu_banyak_kategori"

# Fewer words than this are judged on whether any Indonesian word occurs at all,
# more by the share of such words (a short title like "Camat share twibbon" has few).
_SHORT_TEXT_WORDS = 20
_NO_SIGNAL_CONFIDENCE = 0.2
_MAX_SECONDARY = 3
_MAX_REASONS = 24
_MAX_URL_CHARS = 2048
_EXPLAINED_PHRASES = 4


@dataclass(frozen=True)
class CaseFacts:
    title: str
    description: str
    evidence_urls: tuple[str, ...] = ()
    employment_types: tuple[str, ...] = ()  # "PNS" | "PPPK" | "NON_ASN"
    positions: tuple[str, ...] = ()  # accused positions, e.g. "Camat", "Kepala Dinas"
    source: str = "public_report"  # monitoring | public_report | bawaslu_referral | internal


@dataclass(frozen=True)
class Reason:
    category: str  # the category this evidence points to
    phrase: str  # the lexicon phrase that matched (as in the rules)
    matched: str  # the text as it appeared in the case (before normalisation, best effort)
    field: str  # "title" | "description" | "evidence_urls"
    weight: float  # negative for near-miss rules


_FIELD_ID = {FIELD_TITLE: "judul", FIELD_DESCRIPTION: "uraian", FIELD_EVIDENCE: "tautan bukti"}
_FIELD_EN = {
    FIELD_TITLE: "title",
    FIELD_DESCRIPTION: "description",
    FIELD_EVIDENCE: "evidence link",
}
_FLAG_ID = {
    FLAG_SCATTERED: "Laporan menyebut tanda dari terlalu banyak kategori sekaligus.",
    FLAG_EMPTY: "Teks laporan kosong.",
    FLAG_UNREADABLE: "Teks tidak dikenali sebagai Bahasa Indonesia.",
    FLAG_TRUNCATED: "Laporan sangat panjang; hanya bagian awalnya yang dipindai.",
    FLAG_NO_BREACH: (
        "Laporan membicarakan pemilihan tetapi tidak menguraikan pelanggaran netralitas;"
        " keyakinan sengaja rendah."
    ),
}
_FLAG_EN = {
    FLAG_SCATTERED: "The report carries signs of too many categories at once.",
    FLAG_EMPTY: "The report text is empty.",
    FLAG_UNREADABLE: "The text was not recognised as Indonesian.",
    FLAG_TRUNCATED: "The report is very long; only its beginning was scanned.",
    FLAG_NO_BREACH: (
        "The report talks about the election but describes no neutrality breach;"
        " confidence is kept low on purpose."
    ),
}


@dataclass(frozen=True)
class PrincipalAct:
    """Why the proposal is not the act the model chose first (``proposal.py``)."""

    over: str  # the act the model chose first, now a secondary category
    reason_id: str  # from the rules' principal-act table
    reason_en: str


@dataclass(frozen=True)
class Classification:
    category: str  # one of the codes
    secondary: tuple[str, ...]  # other categories with substantial support, best first
    confidence: float  # 0..1
    needs_review: bool  # low confidence, LAINNYA, empty/foreign text
    reasons: tuple[Reason, ...]  # the explanation: what decided it
    rules_version: str
    label_id: str = ""  # the category's name in Indonesian, from the rules
    label_en: str = ""
    flags: tuple[str, ...] = ()  # FLAG_* codes: empty, unreadable or truncated text
    # The learned model's part (``proposal.py``): its version and the confirmed examples
    # closest to the report; empty when the rules decided alone.
    model_version: str = ""
    neighbours: tuple[Neighbour, ...] = ()
    # The rules' score of every category they found evidence for, highest first: what the
    # proposal weighs when it resolves the principal act and lists the other acts.
    scores: tuple[tuple[str, float], ...] = ()
    principal: PrincipalAct | None = None  # set when the principal act was resolved

    def explain(self, lang: str = "id") -> str:
        """One or two sentences an officer can read: the proposal and what decided it."""
        english = lang.lower().startswith("en")
        fields = _FIELD_EN if english else _FIELD_ID
        label = (self.label_en if english else self.label_id) or self.category
        for_top = [r for r in self.reasons if r.category == self.category]
        found = ", ".join(
            f"“{matched}” ({fields.get(field_name, field_name)})"
            for matched, field_name in _distinct(
                (r.matched, r.field) for r in for_top if r.weight > 0
            )
        )
        against = [r for r in self.reasons if r.weight < 0]
        if self.category != FALLBACK_CATEGORY:
            against = [r for r in against if r.category == self.category]
        lowered = ", ".join(
            f"“{matched}”" for matched, _ in _distinct((r.matched, "") for r in against)
        )
        percent = round(self.confidence * 100)
        sentences: list[str] = []
        if english:
            if found:
                sentences.append(
                    f"Proposed category {label} ({self.category}), confidence {percent}%,"
                    f" because the report contains {found}."
                )
            else:
                sentences.append(
                    f"No recognised sign of a violation; proposed {label} ({self.category})"
                    " for the neutrality task force to decide."
                )
            if self.principal:
                sentences.append(
                    f"Chosen as the principal act over {self.principal.over}:"
                    f" {self.principal.reason_en}."
                )
            if lowered:
                sentences.append(f"Weighed against: {lowered}.")
            if self.secondary:
                sentences.append(f"Also possible: {', '.join(self.secondary)}.")
            if self.neighbours:
                sentences.append(f"Closest confirmed reports: {_neighbours(self.neighbours)}.")
            sentences.extend(_FLAG_EN[f] for f in self.flags if f in _FLAG_EN)
            if self.needs_review:
                sentences.append("An officer should review it.")
        else:
            if found:
                sentences.append(
                    f"Diusulkan kategori {label} ({self.category}), keyakinan {percent}%,"
                    f" karena laporan memuat {found}."
                )
            else:
                sentences.append(
                    f"Tidak ditemukan ciri pelanggaran yang dikenali; diusulkan {label}"
                    f" ({self.category}) untuk diputuskan Satgas Netralitas."
                )
            if self.principal:
                sentences.append(
                    f"Dipilih sebagai perbuatan utama atas {self.principal.over}:"
                    f" {self.principal.reason_id}."
                )
            if lowered:
                sentences.append(f"Pengurang: {lowered}.")
            if self.secondary:
                sentences.append(f"Kemungkinan lain: {', '.join(self.secondary)}.")
            if self.neighbours:
                sentences.append(f"Laporan terkonfirmasi terdekat: {_neighbours(self.neighbours)}.")
            sentences.extend(_FLAG_ID[f] for f in self.flags if f in _FLAG_ID)
            if self.needs_review:
                sentences.append("Perlu ditinjau petugas.")
        return " ".join(sentences)


def _neighbours(neighbours: Iterable[Neighbour]) -> str:
    return ", ".join(f"“{n.title}” ({n.category})" for n in neighbours)


def _distinct(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The first few distinct items, in order (two phrases may match the same words)."""
    out: list[tuple[str, str]] = []
    for item in items:
        if item not in out:
            out.append(item)
            if len(out) == _EXPLAINED_PHRASES:
                break
    return out


def _within_budget(title: str, description: str, budget: int) -> tuple[str, str, bool]:
    """Title first, then as much description as the scan budget allows."""
    title_part = title[:budget]
    description_part = description[: max(0, budget - len(title_part))]
    truncated = len(title_part) < len(title) or len(description_part) < len(description)
    return title_part, description_part, truncated


def _reads_as_indonesian(tokens: tuple[Tokens, ...], min_ratio: float) -> bool:
    words = sum(t.source_words for t in tokens)
    markers = sum(t.markers for t in tokens)
    if words < _SHORT_TEXT_WORDS:
        return markers > 0
    return markers / words >= min_ratio


def _fallback(rules: Rules, flags: list[str], confidence: float) -> Classification:
    lainnya = rules.category(FALLBACK_CATEGORY)
    return Classification(
        category=FALLBACK_CATEGORY,
        secondary=(),
        confidence=confidence,
        needs_review=True,
        reasons=(),
        rules_version=rules.version,
        label_id=lainnya.label_id,
        label_en=lainnya.label_en,
        flags=tuple(flags),
    )


class _Evidence(NamedTuple):
    """A reason before it is shown: the matched text is only cut out for the ones kept."""

    category: str
    phrase: str
    weight: float
    field: str
    source: Tokens | None
    start: int
    end: int
    text: str  # the matched text when there is no source (evidence links)

    def reason(self) -> Reason:
        matched = self.source.excerpt(self.start, self.end) if self.source else self.text
        return Reason(self.category, self.phrase, matched, self.field, round(self.weight, 3))


def _text_evidence(fields: tuple[tuple[str, Tokens, float], ...], rules: Rules) -> list[_Evidence]:
    """One item per matched phrase and category, from the field where it weighs most."""
    best: dict[int, tuple[float, str, Tokens, int, int]] = {}
    for field_name, tokens, factor in fields:
        for hit in rules.lexicon.find(tokens.words):
            known = best.get(hit.key)
            if known is None or known[0] < factor:
                best[hit.key] = (factor, field_name, tokens, hit.start, hit.end)
    evidence = []
    for key in sorted(best):
        factor, field_name, tokens, start, end = best[key]
        for target in rules.targets[key]:
            evidence.append(
                _Evidence(
                    target.category,
                    target.phrase,
                    target.weight * factor,
                    field_name,
                    tokens,
                    start,
                    end,
                    "",
                )
            )
    return evidence


def _url_evidence(urls: tuple[str, ...], rules: Rules) -> list[_Evidence]:
    evidence: list[_Evidence] = []
    seen: set[str] = set()
    for url in urls[: rules.settings.max_evidence_urls]:
        if not isinstance(url, str) or len(url) > _MAX_URL_CHARS:
            continue
        host = url_host(url)
        if host is None:
            continue
        for candidate in host_suffixes(host):
            signal = rules.url_hosts.get(candidate)
            if signal is None:
                continue
            if candidate not in seen:
                seen.add(candidate)
                evidence.extend(
                    _Evidence(code, candidate, weight, FIELD_EVIDENCE, None, 0, 0, host)
                    for code, weight in signal.items()
                )
            break
    return evidence


def classify(facts: CaseFacts, rules: Rules) -> Classification:
    """Propose a category for a case; never raises on odd text, only on invalid types.

    Empty, foreign or meaningless text yields LAINNYA with ``needs_review``. Only the first
    ``settings.max_scan_chars`` characters are read, flagged when text was left out.
    """
    settings = rules.settings
    flags: list[str] = []
    title, description, truncated = _within_budget(
        facts.title or "", facts.description or "", settings.max_scan_chars
    )
    if truncated:
        flags.append(FLAG_TRUNCATED)
    normalizer = rules.normalizer
    title_tokens = normalizer.tokens(title)
    description_tokens = normalizer.tokens(description)
    if title_tokens.source_words + description_tokens.source_words == 0:
        return _fallback(rules, [FLAG_EMPTY, *flags], 0.0)
    if not _reads_as_indonesian((title_tokens, description_tokens), settings.min_marker_ratio):
        return _fallback(rules, [FLAG_UNREADABLE, *flags], 0.0)

    evidence = _text_evidence(
        (
            (FIELD_TITLE, title_tokens, settings.title_factor),
            (FIELD_DESCRIPTION, description_tokens, 1.0),
        ),
        rules,
    )
    evidence.extend(_url_evidence(facts.evidence_urls, rules))

    order = {c.code: i for i, c in enumerate(rules.categories)}
    scores = dict.fromkeys(order, 0.0)
    for item in evidence:
        scores[item.category] += item.weight
    ranked = sorted(order, key=lambda code: (-scores[code], order[code]))
    top_score = max(scores[ranked[0]], 0.0)
    runner_up = max(scores[ranked[1]], 0.0)

    if top_score < settings.min_score:
        category = FALLBACK_CATEGORY
        confidence = _NO_SIGNAL_CONFIDENCE
        secondary: tuple[str, ...] = ()
    else:
        category = ranked[0]
        # Strength grows with the evidence and saturates; the share says how clearly the
        # winner stands out from the runner-up.
        strength = 1.0 - math.exp(-top_score / settings.confidence_scale)
        confidence = strength * top_score / (top_score + runner_up)
        floor = max(settings.min_score, settings.secondary_ratio * top_score)
        secondary = tuple(
            code for code in ranked[1:] if code != FALLBACK_CATEGORY and scores[code] >= floor
        )[:_MAX_SECONDARY]

    rank = {code: i for i, code in enumerate(ranked)}
    if category == FALLBACK_CATEGORY:
        rank[FALLBACK_CATEGORY] = -1
    evidence.sort(key=lambda e: (rank[e.category], e.weight < 0, -abs(e.weight)))
    chosen = rules.category(category)
    return Classification(
        category=category,
        secondary=secondary,
        confidence=round(confidence, 3),
        needs_review=category == FALLBACK_CATEGORY or confidence < settings.review_below,
        reasons=tuple(item.reason() for item in evidence[:_MAX_REASONS]),
        rules_version=rules.version,
        label_id=chosen.label_id,
        label_en=chosen.label_en,
        flags=tuple(flags),
        scores=tuple((code, round(scores[code], 3)) for code in ranked if scores[code] > 0),
    )
