"""A queue link with a code intake does not know still opens the queue: the code is dropped
and reported, never sent on (intake refuses it)."""

from __future__ import annotations

from services.console.cases.filters import QueueFilters
from services.console.web.labels import STATUS_LABELS
from services.intake.actions.status_machine import STATUSES


def test_unknown_codes_are_dropped_and_reported_known_ones_are_kept() -> None:
    filters = QueueFilters.from_args(
        {"status": "bogus", "category": "MEDSOS", "priority": "asap", "unit": "BKPSDM"}
    )
    assert (filters.status, filters.category, filters.priority, filters.unit) == (
        None,
        "MEDSOS",
        None,
        "BKPSDM",
    )
    assert set(filters.ignored) == {"status", "priority"}
    params = dict(filters.intake_params(officer_id="karo-1", due_before=None))
    assert "status" not in params
    assert params["category"] == "MEDSOS"


def test_every_status_the_console_names_is_one_intake_knows() -> None:
    assert set(STATUS_LABELS) == set(STATUSES)


def test_a_tracking_code_in_the_search_box_asks_for_that_case_alone() -> None:
    filters = QueueFilters.from_args({"officer": "me", "q": "k7qm 3xpa 9d2f ht6w"})
    assert filters.intake_params(officer_id="karo-1", due_before="2026-12-09") == [
        ("sort", "due"),
        ("limit", "25"),
        ("tracking_code", "K7QM-3XPA-9D2F-HT6W"),
    ]
    words = dict(
        QueueFilters.from_args({"q": "kaos paslon"}).intake_params(
            officer_id="karo-1", due_before=None
        )
    )
    assert words["q"] == "kaos paslon"
    assert "tracking_code" not in words
