"""Reading the moments the services send: ISO text or a stored date, with or without a zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.console.web.i18n import parse_moment


def test_a_moment_without_a_zone_is_read_as_utc_whether_text_or_date() -> None:
    expected = datetime(2026, 12, 2, 7, 5, tzinfo=UTC)
    assert parse_moment("2026-12-02T07:05:00") == expected
    assert parse_moment(datetime(2026, 12, 2, 7, 5)) == expected
    assert parse_moment(datetime(2026, 12, 2, 7, 5)).tzinfo is not None  # type: ignore[union-attr]


def test_a_moment_with_a_zone_keeps_it() -> None:
    wita = timezone(timedelta(hours=8))
    parsed = parse_moment("2026-12-02T15:05:00+08:00")
    assert parsed == datetime(2026, 12, 2, 15, 5, tzinfo=wita)
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("value", ["", "kemarin", "2026-13-40", None, 20261202])
def test_what_is_not_a_moment_is_none(value: object) -> None:
    assert parse_moment(value) is None
