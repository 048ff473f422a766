from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.triage.domain.calendar import (
    CalendarEntry,
    CalendarError,
    WorkingCalendar,
    build_calendar,
    dates_of,
    national_collective_leave,
    validate_calendar_entries,
)
from shared.regions import timezone_for

WIB = timezone_for("12.06")  # Karo
WITA = timezone_for("64.08")  # Kutai Timur
WIT = timezone_for("91")  # Papua

NATIONAL_2024 = holidays.country_holidays("ID", years=2024)
CHRISTMAS_LEAVE = date(2024, 12, 26)


def calendar_for(
    tz: ZoneInfo = WITA,
    years: tuple[int, ...] = (2024, 2025),
    leave: tuple[date, ...] = (CHRISTMAS_LEAVE,),
) -> WorkingCalendar:
    return build_calendar(tz, years, collective_leave=leave)


KUTAI_TIMUR = calendar_for()


# ------------------------------------------------------------------- which days work


def test_pilkada_voting_day_is_a_holiday_in_the_library_and_so_not_a_working_day() -> None:
    voting_day = date(2024, 11, 27)
    assert voting_day.weekday() == 2  # a Wednesday, so only the holiday makes it free
    assert voting_day in NATIONAL_2024
    assert not KUTAI_TIMUR.is_working_day(voting_day)
    assert KUTAI_TIMUR.is_working_day(date(2024, 11, 26))
    assert KUTAI_TIMUR.is_working_day(date(2024, 11, 28))


def test_collective_leave_comes_from_configuration() -> None:
    assert CHRISTMAS_LEAVE.weekday() == 3
    assert CHRISTMAS_LEAVE not in NATIONAL_2024
    assert calendar_for(leave=()).is_working_day(CHRISTMAS_LEAVE)
    assert not calendar_for().is_working_day(CHRISTMAS_LEAVE)


def test_extra_local_holiday_is_not_a_working_day() -> None:
    local_day = date(2024, 10, 14)
    cal = build_calendar(WITA, [2024], extra_holidays=[local_day])
    assert not cal.is_working_day(local_day)
    assert calendar_for().is_working_day(local_day)


def test_every_day_of_2024_agrees_with_the_library_weekends_and_configuration() -> None:
    day = date(2024, 1, 1)
    while day.year == 2024:
        expected = day.weekday() < 5 and day not in NATIONAL_2024 and day != CHRISTMAS_LEAVE
        assert KUTAI_TIMUR.is_working_day(day) is expected, day
        day += timedelta(days=1)


def test_library_knows_the_national_collective_leave_as_a_starting_point() -> None:
    leave = national_collective_leave([2024])
    assert CHRISTMAS_LEAVE in leave
    assert all(d.year == 2024 for d in leave)
    assert not leave & set(NATIONAL_2024)


def test_days_outside_the_calendar_years_are_refused_not_guessed() -> None:
    cal = calendar_for(years=(2024,))
    with pytest.raises(CalendarError, match="outside the calendar's years"):
        cal.is_working_day(date(2025, 1, 2))


def test_is_working_day_refuses_a_datetime_whose_day_depends_on_its_zone() -> None:
    with pytest.raises(TypeError, match="local_date"):
        KUTAI_TIMUR.is_working_day(datetime(2024, 11, 26, 20, tzinfo=UTC))


# ------------------------------------------------------------------ adding working days


def test_three_working_days_in_kutai_timur_skip_voting_day_and_end_at_2359_wita() -> None:
    friday_morning = datetime(2024, 11, 22, 10, 0, tzinfo=WITA)
    deadline = KUTAI_TIMUR.add_working_days(friday_morning, 3)
    # Mon 25, Tue 26, (Wed 27 voting day), Thu 28: the end of Thursday, WITA = UTC+8.
    assert deadline == datetime(2024, 11, 28, 15, 59, 59, 999999, tzinfo=UTC)
    assert deadline.tzinfo is UTC
    assert deadline.astimezone(WITA).time() == time.max


@pytest.mark.parametrize(
    ("tz", "utc_hour"),
    [(WIB, 16), (WITA, 15), (WIT, 14)],
)
def test_the_same_local_deadline_is_a_different_instant_in_each_zone(
    tz: ZoneInfo, utc_hour: int
) -> None:
    cal = calendar_for(tz=tz)
    deadline = cal.add_working_days(datetime(2024, 11, 22, 10, 0, tzinfo=tz), 3)
    assert deadline == datetime(2024, 11, 28, utc_hour, 59, 59, 999999, tzinfo=UTC)
    assert deadline.astimezone(tz).replace(tzinfo=None) == datetime.combine(
        date(2024, 11, 28), time.max
    )


def test_days_are_counted_from_the_local_day_not_the_utc_day() -> None:
    # Monday 00:30 in Kutai Timur is still Sunday in UTC.
    start = datetime(2024, 11, 25, 0, 30, tzinfo=WITA)
    assert start.astimezone(UTC).date() == date(2024, 11, 24)
    deadline = KUTAI_TIMUR.add_working_days(start, 1)
    assert deadline.astimezone(WITA).date() == date(2024, 11, 26)


def test_start_hour_does_not_matter_within_a_day() -> None:
    morning = KUTAI_TIMUR.add_working_days(datetime(2024, 12, 2, 0, 0, tzinfo=WITA), 5)
    night = KUTAI_TIMUR.add_working_days(datetime(2024, 12, 2, 23, 59, tzinfo=WITA), 5)
    assert morning == night


def test_christmas_and_configured_collective_leave_both_push_the_deadline() -> None:
    start = datetime(2024, 12, 23, 9, 0, tzinfo=WITA)
    with_leave = calendar_for().add_working_days(start, 3)
    without_leave = calendar_for(leave=()).add_working_days(start, 3)
    assert with_leave.astimezone(WITA).date() == date(2024, 12, 30)  # 24, 27, 30
    assert without_leave.astimezone(WITA).date() == date(2024, 12, 27)  # 24, 26, 27


def test_a_deadline_across_new_year_needs_the_next_year_in_the_calendar() -> None:
    start = datetime(2024, 12, 30, 9, 0, tzinfo=WITA)
    with pytest.raises(CalendarError, match="build the calendar with 2025"):
        calendar_for(years=(2024,)).add_working_days(start, 3)
    deadline = KUTAI_TIMUR.add_working_days(start, 3)
    assert date(2025, 1, 1) in holidays.country_holidays("ID", years=2025)
    assert deadline.astimezone(WITA).date() == date(2025, 1, 3)  # 31 Dec, 2 Jan, 3 Jan


def test_a_start_on_a_weekend_counts_from_monday() -> None:
    saturday = datetime(2024, 11, 30, 12, 0, tzinfo=WITA)
    assert KUTAI_TIMUR.add_working_days(saturday, 1).astimezone(WITA).date() == date(2024, 12, 2)


@pytest.mark.parametrize("n", [0, -1])
def test_a_working_day_deadline_needs_at_least_one_day(n: int) -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        KUTAI_TIMUR.add_working_days(datetime(2024, 12, 2, tzinfo=WITA), n)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        KUTAI_TIMUR.add_working_days(datetime(2024, 12, 2, 9, 0), 1)


def test_calendar_days_ignore_holidays_and_end_at_local_midnight() -> None:
    known = datetime(2024, 11, 22, 10, 0, tzinfo=WITA)
    deadline = KUTAI_TIMUR.add_calendar_days(known, 7)
    assert deadline == datetime(2024, 11, 29, 15, 59, 59, 999999, tzinfo=UTC)


def test_working_days_between_counts_after_the_first_day_up_to_the_last() -> None:
    friday = datetime(2024, 11, 22, 15, 0, tzinfo=WITA)
    monday = datetime(2024, 11, 25, 9, 0, tzinfo=WITA)
    thursday = datetime(2024, 11, 28, 9, 0, tzinfo=WITA)
    assert KUTAI_TIMUR.working_days_between(friday, monday) == 1
    assert KUTAI_TIMUR.working_days_between(friday, thursday) == 3
    assert KUTAI_TIMUR.working_days_between(thursday, friday) == -3
    assert KUTAI_TIMUR.working_days_between(monday, monday) == 0
    assert KUTAI_TIMUR.working_days_between(date(2024, 11, 22), date(2024, 11, 25)) == 1


starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2024, 12, 31, 23, 59)).map(
    lambda d: d.replace(tzinfo=WITA)
)


@given(starts, st.integers(min_value=1, max_value=60))
def test_add_and_between_are_inverse(start: datetime, n: int) -> None:
    deadline = KUTAI_TIMUR.add_working_days(start, n)
    local = deadline.astimezone(WITA)
    assert local.time() == time.max
    assert KUTAI_TIMUR.is_working_day(local.date())
    assert KUTAI_TIMUR.working_days_between(start, deadline) == n
    assert KUTAI_TIMUR.working_days_between(deadline, start) == -n
    assert deadline > start


@given(starts, st.integers(min_value=1, max_value=30))
def test_one_more_working_day_is_always_later(start: datetime, n: int) -> None:
    assert KUTAI_TIMUR.add_working_days(start, n + 1) > KUTAI_TIMUR.add_working_days(start, n)


# ----------------------------------------------------------------- building and config


def test_build_calendar_refuses_no_years() -> None:
    with pytest.raises(ValueError, match="at least one year"):
        build_calendar(WITA, [])


def test_build_calendar_refuses_configured_days_outside_its_years() -> None:
    with pytest.raises(ValueError, match="2023-12-26"):
        build_calendar(WITA, [2024], collective_leave=[date(2023, 12, 26)])


def test_a_clean_configuration_has_no_problems_and_builds() -> None:
    entries = [
        CalendarEntry("collective_leave", date(2024, 4, 8), date(2024, 4, 9), "Idul Fitri"),
        CalendarEntry("collective_leave", CHRISTMAS_LEAVE, label="Natal"),
        CalendarEntry("holiday", date(2024, 10, 14), label="HUT Kabupaten"),
    ]
    assert validate_calendar_entries(entries, [2024]) == []
    cal = build_calendar(
        WITA,
        [2024],
        collective_leave=dates_of(entries, "collective_leave"),
        extra_holidays=dates_of(entries, "holiday"),
    )
    assert not cal.is_working_day(date(2024, 4, 9))
    assert not cal.is_working_day(date(2024, 10, 14))


def test_duplicate_entries_are_reported() -> None:
    entries = [
        CalendarEntry("collective_leave", CHRISTMAS_LEAVE, label="Natal"),
        CalendarEntry("collective_leave", CHRISTMAS_LEAVE, label="Natal lagi"),
    ]
    (problem,) = validate_calendar_entries(entries, [2024])
    assert "2024-12-26 listed more than once" in problem
    assert "'Natal'" in problem
    assert "'Natal lagi'" in problem


def test_a_day_of_both_kinds_is_reported() -> None:
    entries = [
        CalendarEntry("collective_leave", CHRISTMAS_LEAVE, label="Natal"),
        CalendarEntry("holiday", CHRISTMAS_LEAVE, label="Lokal"),
    ]
    (problem,) = validate_calendar_entries(entries, [2024])
    assert "listed as both collective leave and an extra holiday" in problem


def test_overlapping_ranges_are_one_problem_naming_every_shared_day() -> None:
    entries = [
        CalendarEntry("collective_leave", date(2024, 4, 8), date(2024, 4, 12), "Lebaran"),
        CalendarEntry("collective_leave", date(2024, 4, 11), date(2024, 4, 15), "Lebaran 2"),
    ]
    problems = validate_calendar_entries(entries, [2024])
    overlap = [p for p in problems if "listed more than once" in p]
    assert len(overlap) == 1
    assert "2024-04-11, 2024-04-12 listed more than once" in overlap[0]
    # Leave configured on the Eid al-Fitr holidays themselves is a typo worth a message.
    on_holidays = [d for e in entries for d in e.days() if d in NATIONAL_2024]
    assert on_holidays
    for day in on_holidays:
        assert any(
            p.startswith(f"{day.isoformat()} is already a national holiday") for p in problems
        )
    assert len(problems) == 1 + len(set(on_holidays))


def test_days_outside_the_configured_years_are_reported() -> None:
    entries = [CalendarEntry("collective_leave", date(2025, 1, 2), label="Tahun baru")]
    (problem,) = validate_calendar_entries(entries, [2024])
    assert "outside the configured years (2024)" in problem
    assert "2025-01-02" in problem


def test_a_range_ending_before_it_starts_is_reported() -> None:
    entries = [CalendarEntry("holiday", date(2024, 5, 3), date(2024, 5, 1), "Terbalik")]
    (problem,) = validate_calendar_entries(entries, [2024])
    assert "ends 2024-05-01 before it starts 2024-05-03" in problem


def test_an_entry_on_a_national_holiday_is_reported_with_the_library_name() -> None:
    christmas = date(2024, 12, 25)
    entries = [CalendarEntry("collective_leave", christmas, label="Natal")]
    (problem,) = validate_calendar_entries(entries, [2024])
    assert problem.startswith("2024-12-25 is already a national holiday")
    assert NATIONAL_2024[christmas] in problem


def test_no_years_is_reported() -> None:
    assert validate_calendar_entries([], []) == [
        "no years configured: the calendar would cover no day"
    ]
