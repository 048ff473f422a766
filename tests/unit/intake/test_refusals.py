"""Every refusal of an officer's action has its own HTTP answer."""

from __future__ import annotations

import pytest

from services.intake.actions import errors
from services.intake.actions.refusals import problem_for

# One of each kind, with the status it answers.
EXAMPLES: list[tuple[errors.ActionRefused, int]] = [
    (errors.CaseNotFound("x"), 404),
    (errors.StaleVersion(current=3, expected=2), 409),
    (errors.IllegalTransition("received", "closed", ("verified",)), 409),
    (errors.MissingFields([("reason", "needs a reason")]), 422),
    (errors.CaseClosed("transfer", "closed", ("received",)), 409),
    (errors.CaseOpen("verified", ("under_examination",)), 409),
    (errors.AlreadyAcknowledged(), 409),
    (errors.OtherRegion("off-2", "12.07", "12.06"), 422),
    (errors.ConflictOfInterest("off-2", ["Budi"]), 422),
    (errors.AlreadyAssigned("off-2"), 409),
    (errors.SameRegion("12.06"), 422),
    (errors.SelfDuplicate(), 422),
    (errors.AlreadyLinked("abc"), 409),
    (errors.NotLinked("abc"), 404),
]


def _kinds(base: type[errors.ActionRefused]) -> set[type[errors.ActionRefused]]:
    found = set()
    for sub in base.__subclasses__():
        found |= {sub, *_kinds(sub)}
    return found


def test_every_kind_of_refusal_is_in_the_examples() -> None:
    assert {type(refused) for refused, _ in EXAMPLES} == _kinds(errors.ActionRefused)


@pytest.mark.parametrize(("refused", "status"), EXAMPLES, ids=lambda v: type(v).__name__)
def test_each_refusal_answers_with_its_own_status_and_detail(
    refused: errors.ActionRefused, status: int
) -> None:
    fallback = problem_for(errors.ActionRefused("a kind with no answer of its own"))
    problem = problem_for(refused)
    assert problem.status == status
    assert problem.detail != fallback.detail


def test_refusals_tell_the_caller_where_the_case_stands() -> None:
    stale = problem_for(errors.StaleVersion(current=3, expected=2))
    assert stale.extra == {"current_version": 3}
    assert stale.errors == [
        {"field": "version", "message": "current version is 3", "code": "stale"}
    ]
    illegal = problem_for(errors.IllegalTransition("received", "closed", ("verified", "rejected")))
    assert illegal.detail == (
        "A case that is 'received' cannot become 'closed'. Allowed now: verified, rejected."
    )
    assert illegal.extra == {"current_status": "received", "allowed": ["verified", "rejected"]}
    closed = problem_for(errors.CaseClosed("acknowledge", "withdrawn", ("received",)))
    assert closed.detail == "A closed case ('withdrawn') needs no acknowledgement."
    assert closed.extra == {"current_status": "withdrawn", "allowed": ["received"]}
    missing = problem_for(errors.MissingFields([("reason", "needs a reason")]))
    assert missing.errors == [{"field": "reason", "message": "needs a reason", "code": "required"}]
