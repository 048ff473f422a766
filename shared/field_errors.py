"""The one format in which every API names what is wrong with a request's fields.

A pydantic ``ValidationError`` becomes a list of ``{"field", "message", "code"}``: ``field`` is
a dotted path with ``[i]`` for list positions (``accused[0].nip``), ``""`` for the whole body;
``message`` is in words a clerk understands; ``code`` is the machine-readable error type.
Pure: no Flask, so the command line reports errors in the same words as the APIs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from pydantic import ValidationError

# Messages for pydantic's own error types; {…} come from the error's context.
MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "missing": "this field is required",
        "extra_forbidden": "field not allowed",
        "string_type": "must be text",
        "string_too_short": "must not be empty",
        "string_too_long": "must be at most {max_length} characters",
        "too_short": "needs at least {min_length} entries",
        "too_long": "may have at most {max_length} entries",
        "list_type": "must be a list",
        "model_type": "must be an object",
        "model_attributes_type": "must be an object",
        "dict_type": "must be an object",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "literal_error": "must be one of {expected}",
        "datetime_type": "must be a date or a date and time",
        "datetime_parsing": "is not a valid date and time ({error})",
        "datetime_from_date_parsing": "is not a valid date ({error})",
    }
)
_PYDANTIC_PREFIXES: Final = ("Value error, ", "Assertion failed, ")
# pydantic marks an error in a mapping's key with this part after the key itself; the path
# to the key already says where the problem is.
_KEY_MARK: Final = "[key]"


def field_path(loc: Sequence[int | str]) -> str:
    """``("accused", 0, "nip")`` → ``accused[0].nip``; ``()`` → ``""`` (the whole body)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != _KEY_MARK:
            path += f".{part}" if path else part
    return path


def message(error: Mapping[str, Any]) -> str:
    """The error's message: a plain one for pydantic's own types, else the validator's words."""
    template = MESSAGES.get(error["type"])
    if template is not None:
        try:
            return template.format(**error.get("ctx", {}))
        except (KeyError, IndexError):
            pass
    text = str(error["msg"])
    for prefix in _PYDANTIC_PREFIXES:
        text = text.removeprefix(prefix)
    return text


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Turn a validation error into ``{"field", "message", "code"}`` items for an API.

    Unknown fields are named in ``field`` with "field not allowed". The input is never
    repeated: it may be a reporter's name or number.
    """
    return [
        {"field": field_path(error["loc"]), "message": message(error), "code": error["type"]}
        for error in exc.errors(include_url=False, include_input=False)
    ]
