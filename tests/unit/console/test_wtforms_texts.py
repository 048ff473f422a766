"""WTForms' own messages (a box past its length, a choice not offered) speak the page's
language: Indonesian by default, English from the console's catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import wtforms
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length

from services.console.web.forms import Form
from services.console.web.wtforms_texts import TEXTS

CONSOLE = Path(__file__).resolve().parents[3] / "services" / "console"
BAD = {"code": "123", "note": "x", "choice": "b", "count": "dua", "day": "31-02-2024"}


class Boxes(Form):
    code = StringField("Kode", validators=[Length(max=2)])
    note = StringField("Catatan", validators=[Length(min=3, max=10)])
    choice = SelectField("Pilihan", choices=[("a", "A")])
    count = IntegerField("Jumlah")
    day = DateField("Tanggal", format="%d-%m-%Y")


def _app(language: str) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="x" * 32,
        WTF_CSRF_ENABLED=False,
        BABEL_TRANSLATION_DIRECTORIES=str(CONSOLE / "translations"),
    )
    Babel(app, locale_selector=lambda: language)
    return app


def _errors(language: str) -> dict[str, Any]:
    with _app(language).test_request_context(method="POST", data=BAD):
        form = Boxes()
        assert form.validate() is False
        return {name: errors[0] for name, errors in form.errors.items()}


def test_wtforms_own_messages_are_in_indonesian_on_an_indonesian_page() -> None:
    assert _errors("id") == {
        "code": "Paling banyak 2 karakter.",
        "note": "Antara 3 dan 10 karakter.",
        "choice": "Pilih salah satu pilihan yang ada.",
        "count": "Tulis dengan angka.",
        "day": "Tulis tanggal yang ada di kalender.",
    }


def test_and_in_english_on_an_english_page() -> None:
    assert _errors("en") == {
        "code": "At most 2 characters.",
        "note": "Between 3 and 10 characters.",
        "choice": "Choose one of the options given.",
        "count": "Write it in numbers.",
        "day": "Write a date that exists in the calendar.",
    }


def _wtforms_messages() -> set[str]:
    """Every message of the installed WTForms' own catalogue template, plurals included."""
    with (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").open("rb") as f:
        ids = [m.id for m in read_po(f)]
    return {text for i in ids for text in ((i,) if isinstance(i, str) else i)}


def test_each_listed_message_is_one_wtforms_raises() -> None:
    # A message WTForms rewords would no longer match, and its English would reach the page.
    assert set(TEXTS) - _wtforms_messages() == set()
