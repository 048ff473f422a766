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
        "string_too_short": "must be at least {min_length} characters",
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
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "greater_than_equal": "must be at least {ge}",
        "less_than_equal": "must be at most {le}",
        "greater_than": "must be more than {gt}",
        "less_than": "must be less than {lt}",
        "datetime_type": "must be a date or a date and time",
        "datetime_parsing": "is not a valid date and time ({error})",
        "datetime_from_date_parsing": "is not a valid date ({error})",
    }
)
EMPTY: Final = "must not be empty"
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
    if error["type"] == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        # "at least 1 characters" says less than what a clerk needs to hear.
        return EMPTY
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
