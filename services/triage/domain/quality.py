"""How well triage's proposals agree with what officers decided: per-category precision and
recall over a recent window of labelled examples.

An officer's confirmation (the case verified as proposed) or override (another category)
labels a case. Precision of a category is how many of the cases triage proposed in it the
officers kept there; recall is how many of the cases officers put in it triage had proposed
there. A category nobody proposed (or labelled) in the window has no figure, rather than a
zero that would read as a failure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.triage.domain.calendar import require_aware

# The windows the API, the metrics and the console offer.
WINDOWS: tuple[int, ...] = (30, 90)


@dataclass(frozen=True)
class Labelled:
    """One labelled case as the figures need it."""

    proposed: str
    final: str
    labelled_at: datetime


@dataclass(frozen=True)
class CategoryQuality:
    category: str
    proposed: int  # cases triage proposed in this category
    labelled: int  # cases officers put in this category
    correct: int  # both

    @property
    def precision(self) -> float | None:
        return _ratio(self.correct, self.proposed)

    @property
    def recall(self) -> float | None:
        return _ratio(self.correct, self.labelled)


@dataclass(frozen=True)
class Quality:
    """The figures of one window ending at ``until``."""

    days: int
    since: datetime
    until: datetime
    examples: int
    correct: int
    categories: tuple[CategoryQuality, ...]

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.examples)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def quality(
    examples: Iterable[Labelled], categories: Sequence[str], *, now: datetime, days: int
) -> Quality:
    """The figures of the examples labelled in the ``days`` before ``now``.

    ``categories`` are the rows, in their order; a label outside them (a category retired
    since) still counts in the overall accuracy and gets a row of its own at the end.
    """
    require_aware(now, "now")
    if days <= 0:
        raise ValueError("days must be positive")
    since = now - timedelta(days=days)
    proposed: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    total = 0
    for example in examples:
        if not since <= example.labelled_at <= now:
            continue
        total += 1
        proposed[example.proposed] += 1
        labelled[example.final] += 1
        if example.proposed == example.final:
            correct[example.final] += 1
    extra = sorted((set(proposed) | set(labelled)) - set(categories))
    rows = tuple(
        CategoryQuality(c, proposed[c], labelled[c], correct[c]) for c in (*categories, *extra)
    )
    return Quality(
        days=days,
        since=since,
        until=now,
        examples=total,
        correct=sum(correct.values()),
        categories=rows,
    )
