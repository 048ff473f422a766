"""The evaluation of a candidate rules version on labelled cases: what changes, case by case,
and the accuracy before and after."""

from __future__ import annotations

from services.triage.domain.classifier import CaseFacts
from services.triage.domain.evaluation import Confirmed, Outcome, compare, evaluate
from services.triage.rules_files import default_rules_text, load_rules_text, shipped_examples
from tests.unit.triage.builders import short_sighted_rules_text


def test_only_changed_cases_are_listed_with_their_effect() -> None:
    result = compare(
        [
            Outcome("a", final="HOAKS", current="HOAKS", candidate="HOAKS"),
            Outcome("b", final="SARA", current="HOAKS", candidate="SARA"),
            Outcome("c", final="MEDSOS", current="MEDSOS", candidate="KAMPANYE"),
            Outcome("d", final="MEDSOS", current="HOAKS", candidate="SARA"),
            Outcome("e", final="ATRIBUT", current="MEDSOS", candidate="MEDSOS"),
        ]
    )
    assert [(o.case_id, o.effect) for o in result.changes] == [
        ("b", "fixed"),
        ("c", "broken"),
        ("d", "changed"),
    ]
    assert (result.examples, result.correct_before, result.correct_after) == (5, 2, 2)
    assert (result.accuracy_before, result.accuracy_after) == (0.4, 0.4)
    assert not result.lowers_accuracy


def test_one_broken_case_more_than_fixed_lowers_accuracy() -> None:
    result = compare(
        [
            Outcome("a", final="HOAKS", current="HOAKS", candidate="SARA"),
            Outcome("b", final="SARA", current="SARA", candidate="SARA"),
        ]
    )
    assert result.lowers_accuracy
    assert (result.accuracy_before, result.accuracy_after) == (1.0, 0.5)


def test_no_labelled_cases_have_no_accuracy_and_lower_nothing() -> None:
    result = compare([])
    assert (result.accuracy_before, result.accuracy_after, result.lowers_accuracy) == (
        None,
        None,
        False,
    )


def _confirmed(count: int) -> list[Confirmed]:
    out = []
    for example in shipped_examples()[:count]:
        description = example.text[len(example.title) :].strip()
        facts = CaseFacts(title=example.title, description=description)
        out.append(Confirmed(example.id, facts, example.category))
    return out


def test_rules_that_read_only_the_first_words_break_confirmed_cases() -> None:
    current = load_rules_text(default_rules_text())
    short = load_rules_text(short_sighted_rules_text())
    cases = _confirmed(30)
    same = evaluate(cases, current, current)
    assert (same.changes, same.correct_before) == ((), same.correct_after)
    result = evaluate(cases, current, short)
    assert result.lowers_accuracy
    assert result.examples == 30
    assert result.changes
    broken = [o for o in result.changes if o.effect == "broken"]
    assert broken
    assert all(o.current == o.final != o.candidate for o in broken)
