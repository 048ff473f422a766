"""The form every page of the console builds on: it refuses control characters in every box.

In one place rather than as a validator on each field, so a box added later is covered
without anyone remembering to: a NUL byte or a bidirectional override (U+202E) pasted into a
title or a name would otherwise reach intake, which refuses it too, but then the error could
not be shown beside the box it came from. Passwords are left to the service (they are never
shown back), and hidden fields are the page's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, PasswordField, StringField
from wtforms.validators import ValidationError

from services.console.web.wtforms_texts import CONSOLE_TEXTS, ConsoleTexts
from shared.text_safety import control_character


def no_control_characters(form: Any, field: Field) -> None:
    """Refuse a box's text that carries a control character, naming it (``U+202E``)."""
    character = control_character(field.data) if isinstance(field.data, str) else None
    if character is not None:
        raise ValidationError(
            _(
                "Berisi karakter kendali (%(character)s) yang tidak bisa disimpan; hapus "
                "karakter itu.",
                character=character,
            )
        )


class Form(FlaskForm):
    """A FlaskForm whose text boxes refuse control characters (see the module's note), and
    whose WTForms messages speak the page's language (``wtforms_texts``)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> ConsoleTexts:
            return CONSOLE_TEXTS

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        extra: dict[str, list[Any]] = {
            name: list(validators) for name, validators in (extra_validators or {}).items()
        }
        for field in self:
            if isinstance(field, StringField) and not isinstance(
                field, PasswordField | HiddenField
            ):
                extra.setdefault(field.name, []).append(no_control_characters)
        return bool(super().validate(extra_validators=extra))
