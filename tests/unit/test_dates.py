"""Dates read back from MongoDB: naive ones are UTC, aware ones keep their zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from shared.dates import aware, in_utc

WIB = timezone(timedelta(hours=7))


def test_a_naive_date_is_read_as_utc() -> None:
    naive = datetime(2024, 11, 27, 1, 30)
    assert aware(naive) == datetime(2024, 11, 27, 1, 30, tzinfo=UTC)
    assert aware(naive).utcoffset() == timedelta(0)


def test_an_aware_date_keeps_its_zone() -> None:
    local = datetime(2024, 11, 27, 8, 30, tzinfo=WIB)
    assert aware(local).utcoffset() == timedelta(hours=7)
    assert aware(local).hour == 8


def test_in_utc_moves_an_aware_date_to_utc_and_reads_a_naive_one_as_utc() -> None:
    local = datetime(2024, 11, 27, 8, 30, tzinfo=WIB)
    assert in_utc(local) == datetime(2024, 11, 27, 1, 30, tzinfo=UTC)
    assert in_utc(local).hour == 1
    assert in_utc(datetime(2024, 11, 27, 1, 30)).hour == 1
