"""What the filters of list endpoints share: a moment that can be meant.

A filter that cannot match anything is a mistake, and answering it with an empty (or, for
a filter that is ignored, a full) list hides the mistake: ``?status=bogus`` and
``?updated_since=-1`` are refused with the parameter named instead.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Final

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from pydantic_core import PydanticCustomError

# Nothing Pantau lists lies outside these years; a moment outside them is a typing mistake
# or a number read as seconds since 1970 (pydantic's lax mode reads "-1" as 1969-12-31).
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2100, 1, 1, tzinfo=UTC)
_NUMBER: Final = re.compile(r"\s*[-+]?[0-9]+(?:\.[0-9]*)?\s*")
_EXAMPLE: Final = "2024-11-20T14:30:00+08:00"


def _no_number(value: object) -> object:
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise PydanticCustomError(
            "datetime_format",
            "give a date and time with its offset, such as {example}",
            {"example": _EXAMPLE},
        )
    return value


def _plausible(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise PydanticCustomError(
            "datetime_range",
            "must lie between the years {first} and {last}",
            {"first": EARLIEST.year, "last": LATEST.year - 1},
        )
    return value


Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_no_number),
    AfterValidator(_plausible),
    Field(examples=[_EXAMPLE]),
]
