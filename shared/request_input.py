"""Reading a request's input: its JSON body or its query string, validated by a pydantic model.

Every view of every service reads its input through here, so clients meet the same answers
everywhere: 415 for a body that is not JSON, 413 for one that is too large, 400 for one that
is empty, not UTF-8 or not JSON, and 422 naming every wrong field in the one format of
``shared.field_errors``.

Control characters (``shared.text_safety``) are refused here, for every body and every query
string, rather than by each model's fields: a field added later, a free-form mapping (a
roster's notes, a template) or a view that reads the body without a model is covered
without anyone remembering to.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from shared.field_errors import field_errors
from shared.problems import Problem
from shared.text_safety import control_errors, may_carry_control

M = TypeVar("M", bound=BaseModel)

DETAIL = "Some fields need correcting; see 'errors'."
# Deeper than any request of the suite needs (a submission is four levels deep), far below
# what the parser, the validators or MongoDB (100 levels) could be made to choke on.
MAX_DEPTH = 32
QUERY_DETAIL = "Some filters need correcting; see 'errors'."


def json_body(max_bytes: int | None = None) -> Any:
    """The parsed JSON body, or a problem naming what is wrong with it."""
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise Problem(
            415,
            "Send the body as JSON with 'Content-Type: application/json'.",
            extra={"received_content_type": request.content_type},
        )
    if max_bytes is not None and (request.content_length or 0) > max_bytes:
        raise Problem(413, f"The JSON body may be at most {max_bytes} bytes.")
    raw = request.get_data(cache=True)
    if not raw:
        raise Problem(400, "The request body is empty; a JSON object was expected.")
    return parse_json(raw, "The body")


def parse_json(raw: str | bytes, what: str) -> Any:
    """``raw`` parsed as JSON (``what`` names it in problems: "The body", "The part 'case'"):
    invalid text, nesting deeper than :data:`MAX_DEPTH` and control characters in strings
    are each a problem, never an exception from the parser."""
    try:
        # Decoded once, as the parser itself would decode bytes (UTF-8, -16 or -32 by their
        # first bytes); the text check below reads the same text.
        text = (
            raw if isinstance(raw, str) else raw.decode(json.detect_encoding(raw), "surrogatepass")
        )
        parsed = json.loads(text)
    except UnicodeDecodeError as exc:
        raise Problem(400, f"{what} is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise Problem(
            400,
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
        ) from exc
    except RecursionError as exc:
        raise _too_deep(what) from exc
    # Both walks visit every value of the body; what the text says spares them for nearly
    # every body: deeper than MAX_DEPTH needs more opening brackets than that, and a refused
    # character is in the text as itself or as an escape.
    if text.count("{") + text.count("[") > MAX_DEPTH and too_deep(parsed, MAX_DEPTH):
        raise _too_deep(what)
    if not may_carry_control(text):
        return parsed
    return without_control_characters(parsed)


def without_control_characters(value: Any, detail: str = DETAIL) -> Any:
    """``value`` (parsed JSON, or a form's fields) when no string of it carries a control
    character; otherwise the 422 naming each field that does."""
    errors = control_errors(value)
    if errors:
        raise Problem(422, detail, errors=errors)
    return value


def too_deep(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects or arrays more than ``limit`` levels deep (walked
    without recursion, so the check itself cannot overflow)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _too_deep(what: str) -> Problem:
    return Problem(
        400,
        f"{what} nests objects or arrays more than {MAX_DEPTH} levels deep; "
        "no request of this API needs that.",
    )


def invalid(exc: ValidationError, detail: str = DETAIL, *, status: int = 422) -> Problem:
    """The problem that answers a failed validation, naming every field."""
    return Problem(status, detail, errors=field_errors(exc))


def validated(
    model: type[M],
    data: Any,
    *,
    detail: str = DETAIL,
    status: int = 422,
    context: Mapping[str, Any] | None = None,
) -> M:
    """``data`` as ``model``, or the problem naming every wrong field."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise invalid(exc, detail, status=status) from exc


def parse_body(
    model: type[M],
    *,
    max_bytes: int | None = None,
    detail: str = DETAIL,
    context: Mapping[str, Any] | None = None,
) -> M:
    """The request's JSON body (at most ``max_bytes``) as ``model``; a problem otherwise."""
    return validated(model, json_body(max_bytes), detail=detail, context=context)


def parse_query(model: type[M], *, detail: str = QUERY_DETAIL, status: int = 422) -> M:
    """The query string as ``model``; a problem (``status``) naming every wrong parameter.

    A parameter given more than once is a list when the model's field is one
    (``?category=A&category=B``); otherwise the first value counts. Parameters the model does
    not name are left to its configuration (ignored, or refused with ``extra="forbid"``).
    """
    data: dict[str, Any] = {}
    for name, values in request.args.lists():
        data[name] = values if _is_list(model, name) else values[0]
    errors = control_errors(data)
    if errors:
        raise Problem(status, detail, errors=errors)
    return validated(model, data, detail=detail, status=status)


def _is_list(model: type[BaseModel], name: str) -> bool:
    field = model.model_fields.get(name)
    if field is None:
        for candidate in model.model_fields.values():
            if candidate.alias == name:
                field = candidate
                break
    if field is None:
        return False
    kinds = (field.annotation, *typing.get_args(field.annotation))
    return any(typing.get_origin(kind) in (list, tuple, set, frozenset) for kind in kinds)
