"""How every list of every service is asked for a page: ``limit`` and an opaque ``cursor``.

One model family, so a client meets the same answers everywhere: a limit outside 1..most, a
limit that is no whole number and a cursor this server did not give out are refused with the
parameter named (422), and a parameter the list does not read is refused too, never ignored
(a ``cursor`` sent to a list that does not page would otherwise silently restart it).

A cursor is URL-safe base64 of a small JSON object; what the object holds is the list's own
business (``encode_cursor``/``decode_cursor``). Its shape is checked while the query string
is validated; a cursor that decodes but does not fit the list (another order, a changed key)
is refused with :func:`cursor_refused`, in the same words.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from shared.problems import Problem

MAX_CURSOR: Final = 400
CURSOR_CODE: Final = "cursor"
CURSOR_MESSAGE: Final = "is not a cursor this server gave out; start again without it"
PAGE_DETAIL: Final = "Some filters need correcting; see 'errors'."


class BadCursor(ValueError):
    """A cursor that does not decode, or does not fit the list it was sent to."""


def encode_cursor(position: Mapping[str, Any]) -> str:
    """The opaque cursor for ``position`` (plain JSON values)."""
    return base64.urlsafe_b64encode(json.dumps(dict(position)).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    """The position a cursor holds; :class:`BadCursor` when it is none of ours."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise BadCursor(str(exc)) from exc
    if not isinstance(decoded, dict):
        raise BadCursor("a cursor holds an object")
    return decoded


def _checked(cursor: str) -> str:
    try:
        decode_cursor(cursor)
    except BadCursor:
        raise PydanticCustomError(CURSOR_CODE, CURSOR_MESSAGE) from None
    return cursor


Cursor = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_CURSOR),
    AfterValidator(_checked),
]


def cursor_refused() -> Problem:
    """The answer to a cursor that decodes but does not fit the list it was sent to."""
    return Problem(
        422,
        PAGE_DETAIL,
        errors=[{"field": "cursor", "message": CURSOR_MESSAGE, "code": CURSOR_CODE}],
    )


def limit_field(default: int, most: int) -> Any:
    """The ``limit`` parameter of a list: ``default`` items unless asked, at most ``most``."""
    return Field(default=default, ge=1, le=most, description=f"At most this many (1 to {most}).")


class LimitQuery(BaseModel):
    """A list read in one page: only ``limit``. Subclasses set its bounds with
    :func:`limit_field` and add their filters."""

    model_config = ConfigDict(extra="forbid")

    limit: int = limit_field(100, 500)


class PageQuery(LimitQuery):
    """A list read page by page: ``limit`` and the previous page's ``next_cursor``."""

    cursor: Cursor | None = Field(
        default=None, description="The next_cursor of the previous page; absent: the first."
    )
