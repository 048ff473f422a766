"""Filters that cannot mean anything are refused: impossible moments, unknown codes."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from shared.categories import CATEGORIES, CATEGORY_CODES
from shared.field_errors import field_errors
from shared.filter_types import Moment


class Since(BaseModel):
    since: Moment


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-1", "datetime_format"),
        ("1700000000", "datetime_format"),
        (" 12.5 ", "datetime_format"),
        (0, "datetime_format"),
        ("1969-12-31T23:59:59+00:00", "datetime_range"),
        ("1999-12-31T23:59:59+07:00", "datetime_range"),
        ("2100-01-01T00:00:00+00:00", "datetime_range"),
        ("9999-12-31T23:59:59+00:00", "datetime_range"),
        ("2024-11-20T14:30:00", "timezone_aware"),
        ("kemarin", "datetime_from_date_parsing"),
    ],
)
def test_an_impossible_moment_is_refused_with_a_reason(value: object, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Since.model_validate({"since": value})
    assert [e["code"] for e in field_errors(caught.value)] == [code]


def test_a_moment_with_its_offset_is_read() -> None:
    since = Since.model_validate({"since": "2024-11-20T14:30:00+08:00"}).since
    assert since.isoformat() == "2024-11-20T14:30:00+08:00"


def test_the_category_type_lists_every_category() -> None:
    assert tuple(CATEGORIES) == CATEGORY_CODES
