"""Triage's proposal: the rules' reading and the learned model's, read together.

The rules (``classifier.py``) know the lexicon's words and explain themselves phrase by
phrase; on reports written by other people (paraphrases, officialese, voice notes in
regional speech, monitoring notes) they miss about half. The learned model
(``learned.py``) reads those, and chooses the category. The proposal keeps what makes the
rules worth having: the phrases they found for the chosen category, the categories they saw
besides it (secondary), their flags for empty, foreign or cut text, and it adds the words
that weighed most in the model and the confirmed reports closest to this one, so an officer
still sees why.

Three things are resolved here, as the rules' ``proposal`` section says
(``proposal_rules.py``): the principal act where the report describes several (a campaign
held in an office hall is filed as FASILITAS, and the explanation says so); the other acts
listed as secondary categories; and election talk that describes no breach (LAINNYA with its
own flag, low confidence and the review flag) told from a breach the model nearly missed.

Empty or foreign text is left to the rules: no model should guess there, and the rules
answer it with LAINNYA, no confidence and the review flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.triage.domain.classifier import (
    FIELD_DESCRIPTION,
    FIELD_TITLE,
    FLAG_EMPTY,
    FLAG_NO_BREACH,
    FLAG_SCATTERED,
    FLAG_UNREADABLE,
    CaseFacts,
    Classification,
    PrincipalAct,
    Reason,
    classify,
)
from services.triage.domain.learned import Opinion, text_of
from services.triage.domain.proposal_rules import Evidence, ProposalRules
from services.triage.domain.rules import FALLBACK_CATEGORY, Rules

_MAX_REASONS = 24


@dataclass(frozen=True)
class Readings:
    """Both readings' score for every category they scored, and the model's order."""

    rules: Mapping[str, float]  # the rules' score of each category with evidence
    model: Mapping[str, float]  # the model's decision value of each category
    ranked: tuple[str, ...]  # the model's categories, first choice first

    @property
    def first(self) -> str:
        return self.ranked[0]

    def sees(self, code: str, evidence: Evidence) -> bool:
        """Both readings see this act as much as ``evidence`` asks."""
        return (
            self.rules.get(code, 0.0) >= evidence.rules_score
            and self.model[self.first] - self.model.get(code, float("-inf")) <= evidence.model_gap
        )


# Of the 1,154 shipped examples none shows rules' evidence for more than five categories; a
# text with more reads as a list of keywords (or a report stuffed with them to steer the
# proposal), and whatever is proposed for it is no more than a guess for an officer.
_SCATTERED_CATEGORIES = 6
_SCATTERED_CONFIDENCE = 0.3


def _scattered(scores: Mapping[str, float], min_score: float) -> bool:
    return sum(1 for score in scores.values() if score >= min_score) >= _SCATTERED_CATEGORIES


def propose(facts: CaseFacts, rules: Rules) -> Classification:
    """The category triage proposes for a case, with what decided it; never raises on text."""
    reading = classify(facts, rules)
    model = rules.learned
    if model is None or FLAG_EMPTY in reading.flags or FLAG_UNREADABLE in reading.flags:
        return reading
    budget = rules.settings.max_scan_chars
    title = (facts.title or "")[:budget]
    description = (facts.description or "")[: max(0, budget - len(title))]
    opinion = model.opinion(text_of(title, description))
    readings = Readings(
        rules=dict(reading.scores),
        model=dict(zip(opinion.ranked, opinion.scores, strict=True)),
        ranked=opinion.ranked,
    )
    table = rules.proposal
    category = opinion.category
    confidence = opinion.confidence
    flags = reading.flags
    principal = principal_act(readings, table)
    if principal is not None:
        category = principal[0]
    elif category == FALLBACK_CATEGORY:
        breach = breach_seen(readings, table)
        if breach is not None:
            category = breach
        elif _mentions_election(title, description, rules):
            flags = (*flags, FLAG_NO_BREACH)
            confidence = min(confidence, table.no_breach_confidence)
    if _scattered(readings.rules, rules.settings.min_score):
        flags = (*flags, FLAG_SCATTERED)
        confidence = min(confidence, _SCATTERED_CONFIDENCE)
    chosen = rules.category(category)
    return Classification(
        category=category,
        secondary=secondary_acts(category, readings, table),
        confidence=confidence,
        needs_review=category == FALLBACK_CATEGORY or confidence < rules.settings.review_below,
        reasons=_reasons(reading, opinion, category, title),
        rules_version=reading.rules_version,
        label_id=chosen.label_id,
        label_en=chosen.label_en,
        flags=flags,
        model_version=model.version,
        neighbours=opinion.neighbours,
        scores=reading.scores,
        principal=principal[1] if principal else None,
    )


def principal_act(readings: Readings, table: ProposalRules) -> tuple[str, PrincipalAct] | None:
    """The act filed over the model's choice, when its table line applies and it is seen."""
    first = readings.first
    lines = [
        line
        for line in table.precedence
        if first in line.over and readings.sees(line.principal, table.principal_evidence)
    ]
    if not lines:
        return None
    # Two principal acts over the same choice (a doctored photo that also insults a group):
    # the one the model ranks higher.
    line = max(lines, key=lambda item: readings.model[item.principal])
    return line.principal, PrincipalAct(first, line.reason_id, line.reason_en)


def breach_seen(readings: Readings, table: ProposalRules) -> str | None:
    """A breach both readings see, though the model put LAINNYA first: then it is no LAINNYA."""
    for code in readings.ranked[1:]:
        if code != FALLBACK_CATEGORY and readings.sees(code, table.breach_evidence):
            return code
    return None


def _mentions_election(title: str, description: str, rules: Rules) -> bool:
    normalizer = rules.normalizer
    return any(rules.election.find(normalizer.tokens(part).words) for part in (title, description))


def secondary_acts(category: str, readings: Readings, table: ProposalRules) -> tuple[str, ...]:
    """Other acts both readings see, in the model's order; none beside LAINNYA.

    The act the principal one was chosen over comes first: the report describes it.
    """
    if category == FALLBACK_CATEGORY:
        return ()
    overruled = [readings.first] if readings.first != category else []
    seen = [
        code
        for code in readings.ranked
        if code not in (category, FALLBACK_CATEGORY)
        and readings.sees(code, table.secondary_evidence)
    ]
    return tuple(dict.fromkeys([*overruled, *seen]))[: table.max_secondary]


def _reasons(
    reading: Classification, opinion: Opinion, category: str, title: str
) -> tuple[Reason, ...]:
    """The rules' phrases for the chosen category, the model's words, then the rest.

    The model's words are shown only when it chose the category itself: they weighed for its
    choice, not for a principal act the rules resolved.
    """
    found = [r for r in reading.reasons if r.category == category]
    lowered_title = title.lower()
    words = [
        Reason(
            category=category,
            phrase=word,
            matched=word,
            field=FIELD_TITLE if word in lowered_title else FIELD_DESCRIPTION,
            weight=weight,
        )
        for word, weight in (opinion.words if opinion.category == category else ())
        if not any(word in r.matched.lower() for r in found)
    ]
    rest = [r for r in reading.reasons if r.category != category]
    return tuple([*found, *words, *rest][:_MAX_REASONS])
