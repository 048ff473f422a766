"""What a candidate rules version would change on the cases officers have labelled.

Both the rules in force and the candidate propose a category for every confirmed case, from
the text triage saw; the evaluation lists the cases whose proposal changes and counts how
many proposals agree with the officers' label before and after. An operator reads it before
activating the candidate, and activation refuses a candidate that agrees less often.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.triage.domain.classifier import CaseFacts
from services.triage.domain.proposal import propose
from services.triage.domain.rules import Rules


@dataclass(frozen=True)
class Confirmed:
    """A case with the category officers settled on, and the facts triage read."""

    case_id: str
    facts: CaseFacts
    final: str


@dataclass(frozen=True)
class Outcome:
    """One case's label and both proposals."""

    case_id: str
    final: str
    current: str
    candidate: str

    @property
    def effect(self) -> str:
        """``fixed`` (now agrees), ``broken`` (no longer agrees) or ``changed`` (wrong
        either way)."""
        if self.candidate == self.final:
            return "fixed"
        if self.current == self.final:
            return "broken"
        return "changed"


@dataclass(frozen=True)
class Evaluation:
    examples: int
    correct_before: int
    correct_after: int
    changes: tuple[Outcome, ...]  # only the cases whose proposal changes

    @property
    def accuracy_before(self) -> float | None:
        return round(self.correct_before / self.examples, 4) if self.examples else None

    @property
    def accuracy_after(self) -> float | None:
        return round(self.correct_after / self.examples, 4) if self.examples else None

    @property
    def lowers_accuracy(self) -> bool:
        return self.correct_after < self.correct_before


def compare(outcomes: Iterable[Outcome]) -> Evaluation:
    """The evaluation of proposals already made (the part worth testing on its own)."""
    examples = before = after = 0
    changes: list[Outcome] = []
    for outcome in outcomes:
        examples += 1
        before += outcome.current == outcome.final
        after += outcome.candidate == outcome.final
        if outcome.current != outcome.candidate:
            changes.append(outcome)
    return Evaluation(examples, before, after, tuple(changes))


def evaluate(confirmed: Iterable[Confirmed], current: Rules, candidate: Rules) -> Evaluation:
    """Run both rule sets over every confirmed case (pure: the texts come with the cases)."""
    return compare(
        Outcome(
            case_id=case.case_id,
            final=case.final,
            current=propose(case.facts, current).category,
            candidate=propose(case.facts, candidate).category,
        )
        for case in confirmed
    )
