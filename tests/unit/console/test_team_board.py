"""The team board built from the directory and intake's workload rows: a row per officer
(zeros included), the row of cases nobody holds, holders who are not active officers here,
regions apart, totals, and the due-soon column empty when the calendar could not say."""

from __future__ import annotations

from typing import Any

from services.console.team.board import Figures, build_board, figures_of


def officer(officer_id: str, name: str, region: str = "12.06", **fields: Any) -> dict[str, Any]:
    return {
        "officer_id": officer_id,
        "name": name,
        "region": region,
        "unit": "BKPSDM",
        "role": "officer",
        "active": True,
        **fields,
    }


def load(officer_id: str | None, region: str = "12.06", **figures: Any) -> dict[str, Any]:
    base = {"open": 0, "overdue": 0, "due_soon": 0, "awaiting_info": 0, "untouched": 0}
    return {"region": region, "officer_id": officer_id, "name": None, **base, **figures}


def test_every_routed_officer_gets_a_row_even_without_cases_sorted_by_name() -> None:
    boards = build_board(
        [officer("b", "Sari"), officer("a", "andi"), officer("op", "Operator", role="operator")],
        [load("b", open=3, overdue=1, due_soon=2)],
        due_known=True,
    )
    [karo] = boards
    assert [r.name for r in karo.rows] == ["andi", "Sari"]
    assert karo.rows[0].figures == Figures(due_soon=0)
    assert (karo.rows[1].figures.open, karo.rows[1].figures.overdue) == (3, 1)


def test_cases_nobody_holds_are_a_row_of_their_own_and_count_in_the_totals() -> None:
    oldest = {"case_id": "c1", "submitted_at": "2026-11-30T01:00:00+00:00"}
    newer = {"case_id": "c2", "submitted_at": "2026-12-01T01:00:00+00:00"}
    [karo] = build_board(
        [officer("a", "Andi")],
        [
            load("a", open=2, untouched=1, oldest_untouched=newer),
            load(None, open=4, untouched=4, oldest_untouched=oldest),
        ],
        due_known=True,
    )
    assert karo.unassigned.open == 4
    assert karo.totals.open == 6
    assert karo.totals.untouched == 5
    # The oldest untouched case of the whole region is the older of the two.
    assert karo.totals.oldest_case_id == "c1"


def test_a_holder_who_is_not_an_active_officer_here_is_shown_and_says_why() -> None:
    karo, medan = build_board(
        [
            officer("gone", "Budi", active=False),
            officer("moved", "Sari", region="12.71"),
            officer("here", "Andi"),
        ],
        [
            load("gone", open=2),
            load("moved", open=1),
            load("roster-only", open=1, name="Dari Roster"),
            load("here", open=1),
        ],
        due_known=True,
    )
    rows = {r.officer_id: r for r in karo.rows}
    assert (rows["gone"].name, rows["gone"].state) == ("Budi", "inactive")
    assert rows["moved"].state == "moved"
    assert (rows["roster-only"].name, rows["roster-only"].state) == ("Dari Roster", "unlisted")
    assert rows["here"].state == "active"
    # Where she works now she has a row of her own, without the cases left behind.
    assert [(r.officer_id, r.figures.open, r.state) for r in medan.rows] == [("moved", 0, "active")]


def test_a_province_gets_one_board_per_region_in_code_order() -> None:
    boards = build_board(
        [officer("m", "Medan", region="12.71"), officer("k", "Karo")],
        [load(None, region="12", open=1)],
        due_known=True,
    )
    assert [b.region for b in boards] == ["12", "12.06", "12.71"]
    assert boards[0].rows == []
    assert boards[0].unassigned.open == 1


def test_without_the_calendar_the_due_soon_figures_are_unknown_everywhere() -> None:
    [karo] = build_board(
        [officer("a", "Andi"), officer("b", "Budi")],
        [load("a", open=1, due_soon=None)],
        due_known=False,
    )
    assert {r.figures.due_soon for r in karo.rows} == {None}
    assert karo.unassigned.due_soon is None
    assert karo.totals.due_soon is None


def test_figures_of_nothing_are_zeros() -> None:
    assert figures_of(None, due_known=True) == Figures(due_soon=0)
    assert figures_of(None, due_known=False) == Figures(due_soon=None)
