"""How heavy and how urgent a classified case is.

The score adds points for each factor the rules name: the sanction the category carries,
the accused's seniority, their employment status, signs of wide reach or many people
involved, earlier cases against the same person and the statutory clock. The priority is
cut from the score, and every factor that raised it is named, so an officer can see why a
case jumped the queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.triage.domain.classifier import Classification
from services.triage.domain.rules import PRIORITIES, Priority, Rules, Tier

_SANCTION_WORDS = {
    "ringan": "hukuman disiplin ringan",
    "sedang": "hukuman disiplin sedang",
    "berat": "hukuman disiplin berat",
    "ptdh": "ancaman pemberhentian tidak dengan hormat",
    "konten": "kasus konten (penurunan atau klarifikasi)",
    "belum_ditentukan": "sanksi belum ditentukan",
}
_LOWEST: Priority = PRIORITIES[-1]


@dataclass(frozen=True)
class WeighFacts:
    employment_types: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()
    # title + description, for reach signals (viral, ribuan views, dibagikan ribuan kali,
    # pejabat, camat, kepala dinas, sekda, mobilisasi banyak pegawai/seluruh ASN)
    text: str = ""
    prior_cases_of_accused: int = 0
    days_since_known: float = 0.0
    days_to_deadline: float | None = None


@dataclass(frozen=True)
class Weight:
    sanction_level: str  # "ringan" | "sedang" | "berat" | "ptdh" | "konten" | "belum_ditentukan"
    priority: Priority  # "urgent" | "high" | "normal" | "low"
    score: int  # the number the priority was cut from
    reasons: tuple[str, ...]  # short Indonesian phrases naming each factor that raised the score


def _seniority(facts: WeighFacts, text: str, rules: Rules) -> tuple[int, str]:
    """Points and reason of the most senior position named, in the facts or the text."""
    groups = rules.priority.positions
    best = (0, "")
    for source in (*facts.positions, text):
        tokens = rules.normalizer.tokens(source)
        for hit in rules.positions.find(tokens.words):
            group = groups[rules.position_group[hit.key]]
            if group.points > best[0]:
                best = (group.points, f"{group.reason}: {tokens.excerpt(hit.start, hit.end)}")
    return best


def _signals(text: str, rules: Rules) -> list[tuple[int, str]]:
    """Each signal group found in the text, once, in the order the rules list them."""
    tokens = rules.normalizer.tokens(text)
    found: dict[int, str] = {}
    for hit in rules.signals.find(tokens.words):
        group = rules.signal_group[hit.key]
        found.setdefault(group, tokens.excerpt(hit.start, hit.end))
    groups = rules.priority.signals
    return [(groups[g].points, f"{groups[g].reason}: {found[g]}") for g in sorted(found)]


def _tier(tiers: tuple[Tier, ...], days: float, at_most: bool) -> Tier | None:
    for tier in tiers:
        if (days <= tier.days) if at_most else (days >= tier.days):
            return tier
    return None


def weigh(classification: Classification, facts: WeighFacts, rules: Rules) -> Weight:
    """Sanction level, priority and the score behind it, with a reason per factor."""
    priority = rules.priority
    category = rules.category(classification.category)
    score = 0
    reasons: list[str] = []

    def add(points: int, reason: str) -> None:
        nonlocal score
        if points > 0:
            score += points
            reasons.append(reason)

    sanction = category.sanction
    add(
        priority.sanction_points.get(sanction, 0),
        f"{category.code}: {_SANCTION_WORDS.get(sanction, sanction)}",
    )
    text = facts.text[: rules.settings.max_scan_chars]
    add(*_seniority(facts, text, rules))
    employment = max(
        ((priority.employment_points.get(kind, 0), kind) for kind in facts.employment_types),
        default=(0, ""),
    )
    add(employment[0], f"terlapor berstatus {employment[1]}")
    for points, reason in _signals(text, rules):
        add(points, reason)

    prior = max(0, facts.prior_cases_of_accused)
    add(
        min(prior * priority.prior_case_points, priority.prior_case_cap),
        f"{prior} kasus sebelumnya atas terlapor yang sama",
    )
    deadline = facts.days_to_deadline
    if deadline is not None and math.isfinite(deadline):
        tier = _tier(priority.deadline, deadline, at_most=True)
        if tier is not None:
            add(tier.points, tier.reason.format(days=max(0, math.ceil(deadline))))
    known = facts.days_since_known
    if math.isfinite(known):
        tier = _tier(priority.known_age, known, at_most=False)
        if tier is not None:
            add(tier.points, tier.reason.format(days=math.floor(known)))

    level = next((name for name, minimum in priority.thresholds if score >= minimum), _LOWEST)
    return Weight(sanction_level=sanction, priority=level, score=score, reasons=tuple(reasons))
