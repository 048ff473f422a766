"""Triage's proposal: the rules' reading and the learned model's, read together.

The rules (``classifier.py``) know the lexicon's words and explain themselves phrase by
phrase; on reports written by other people (paraphrases, officialese, voice notes in
regional speech, monitoring notes) they miss about half. The learned model
(``learned.py``) reads those, and chooses the category. The proposal keeps what makes the
rules worth having: the phrases they found for the chosen category, the categories they saw
besides it (secondary), their flags for empty, foreign or cut text, and it adds the words
that weighed most in the model and the confirmed reports closest to this one, so an officer
still sees why.

Empty or foreign text is left to the rules: no model should guess there, and the rules
answer it with LAINNYA, no confidence and the review flag.
"""

from __future__ import annotations

from services.triage.domain.classifier import (
    FIELD_DESCRIPTION,
    FIELD_TITLE,
    FLAG_EMPTY,
    FLAG_UNREADABLE,
    CaseFacts,
    Classification,
    Reason,
    classify,
)
from services.triage.domain.learned import Opinion, text_of
from services.triage.domain.rules import FALLBACK_CATEGORY, Rules

_MAX_SECONDARY = 3
_MAX_REASONS = 24


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
    category = opinion.category
    chosen = rules.category(category)
    return Classification(
        category=category,
        secondary=_secondary(reading, category),
        confidence=opinion.confidence,
        needs_review=category == FALLBACK_CATEGORY
        or opinion.confidence < rules.settings.review_below,
        reasons=_reasons(reading, opinion, title),
        rules_version=reading.rules_version,
        label_id=chosen.label_id,
        label_en=chosen.label_en,
        flags=reading.flags,
        model_version=model.version,
        neighbours=opinion.neighbours,
    )


def _secondary(reading: Classification, category: str) -> tuple[str, ...]:
    """Other acts the rules found: their own choice first when the model chose otherwise."""
    seen = [reading.category, *reading.secondary] if reading.reasons else []
    others = (c for c in seen if c not in (category, FALLBACK_CATEGORY))
    return tuple(dict.fromkeys(others))[:_MAX_SECONDARY]


def _reasons(reading: Classification, opinion: Opinion, title: str) -> tuple[Reason, ...]:
    """The rules' phrases for the chosen category, the model's words, then the rest."""
    category = opinion.category
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
        for word, weight in opinion.words
        if not any(word in r.matched.lower() for r in found)
    ]
    rest = [r for r in reading.reasons if r.category != category]
    return tuple([*found, *words, *rest][:_MAX_REASONS])
