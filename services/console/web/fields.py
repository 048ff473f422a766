"""Drawing a form field's input with what assistive technology needs: the hint and the error
it is described by, and whether it is invalid (kept out of templates, which only display)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from markupsafe import Markup


def field_input(field: Any, *, hint: bool = False, wide: bool = False) -> Markup:
    """The field's input element with its classes and ARIA attributes."""
    described = []
    if hint:
        described.append(f"{field.id}-hint")
    if field.errors:
        described.append(f"{field.id}-error")
    attributes: dict[str, str] = {"class_": "input wide" if wide else "input"}
    if described:
        attributes["aria-describedby"] = " ".join(described)
    if field.errors:
        attributes["aria-invalid"] = "true"
    return Markup(field(**attributes))  # noqa: S704 - WTForms escapes what it renders


def error_list(form: Any) -> list[tuple[Any, str]]:
    """The fields of ``form`` with an error, and each one's first message, in form order
    (form-wide errors and the form token's are shown elsewhere)."""
    return [
        (field, field.errors[0])
        for field in form
        if field.errors and field.name != "csrf_token" and isinstance(field.errors, list)
    ]


def install(app: Flask) -> None:
    app.jinja_env.globals["field_input"] = field_input
    app.jinja_env.globals["error_list"] = error_list
