"""The period of a statistics page in days of the person's zone (pure)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.console.stats.period import CUSTOM, bounds, check_range

WITA = ZoneInfo("Asia/Makassar")
TODAY = date(2024, 11, 27)


@pytest.mark.parametrize(("period", "first_day"), [("30", 29), ("90", 30), ("365", 29)])
def test_the_last_n_days_count_today_and_begin_at_local_midnight(
    period: str, first_day: int
) -> None:
    span = bounds(period, None, None, today=TODAY, zone=WITA)
    assert span.end is None
    assert (span.start.day, span.start.hour, span.start.minute) == (first_day, 0, 0)
    assert span.start.utcoffset() == WITA.utcoffset(datetime(2024, 1, 1))
    assert (TODAY - span.start.date()).days == int(period) - 1


def test_an_unknown_period_falls_back_to_ninety_days() -> None:
    assert bounds("7", None, None, today=TODAY, zone=WITA) == bounds(
        "90", None, None, today=TODAY, zone=WITA
    )


def test_a_chosen_range_includes_its_last_day() -> None:
    span = bounds(CUSTOM, date(2024, 11, 1), date(2024, 11, 30), today=TODAY, zone=WITA)
    assert span.start == datetime(2024, 11, 1, tzinfo=WITA)
    assert span.end == datetime(2024, 12, 1, tzinfo=WITA)
    with pytest.raises(ValueError, match="first and last day"):
        bounds(CUSTOM, date(2024, 11, 1), None, today=TODAY, zone=WITA)


def test_a_range_names_what_is_wrong_with_it() -> None:
    assert check_range(date(2024, 11, 1), date(2024, 11, 1)) == {}
    assert check_range(None, None) == {"start": "missing", "end": "missing"}
    assert check_range(date(2024, 11, 30), date(2024, 11, 1)) == {"end": "reversed"}
    assert check_range(date(224, 11, 1), date(2024, 11, 1)) == {"start": "too_early"}
    # Intake reads moments from 2100 on as impossible: said beside the box, not as a failure.
    assert check_range(date(2024, 11, 1), date(2400, 1, 1)) == {"end": "too_late"}
    assert check_range(date(3024, 11, 1), date(3024, 11, 2)) == {
        "start": "too_late",
        "end": "too_late",
    }
