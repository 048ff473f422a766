"""One way to ask any list for a page: limit bounds and opaque cursors, refused by name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.field_errors import field_errors
from shared.paging import (
    BadCursor,
    PageQuery,
    decode_cursor,
    encode_cursor,
    limit_field,
)


class Listing(PageQuery):
    limit: int = limit_field(20, 200)


def _errors(**query: str) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Listing.model_validate(query)
    return {e["field"]: e["code"] for e in field_errors(caught.value)}


@pytest.mark.parametrize(
    ("limit", "code"),
    [
        ("-5", "greater_than_equal"),
        ("0", "greater_than_equal"),
        ("201", "less_than_equal"),
        ("999999999999", "less_than_equal"),
        ("ten", "int_parsing"),
    ],
)
def test_a_limit_outside_its_bounds_is_refused_by_name(limit: str, code: str) -> None:
    assert _errors(limit=limit) == {"limit": code}


@pytest.mark.parametrize("cursor", ["zzz", "%%%", "bm90IGpzb24", "WzEsIDJd", "x" * 401, ""])
def test_a_cursor_this_server_did_not_give_out_is_refused_by_name(cursor: str) -> None:
    assert set(_errors(cursor=cursor)) == {"cursor"}


def test_a_parameter_the_list_does_not_read_is_refused() -> None:
    assert _errors(offset="20") == {"offset": "extra_forbidden"}


def test_a_cursor_given_out_reads_back_and_the_default_limit_holds() -> None:
    cursor = encode_cursor({"at": "2024-11-20T07:00:00+00:00", "id": "abc"})
    page = Listing.model_validate({"cursor": cursor})
    assert page.limit == 20
    assert page.cursor is not None
    assert decode_cursor(page.cursor) == {"at": "2024-11-20T07:00:00+00:00", "id": "abc"}
    assert Listing.model_validate({"limit": "200"}).limit == 200


def test_decoding_something_else_raises_bad_cursor() -> None:
    with pytest.raises(BadCursor):
        decode_cursor("WzEsIDJd")  # a list, not an object
