"""Every console form refuses control characters in its text boxes, beside the box, and
keeps what was typed for a second try."""

from __future__ import annotations

from flask import Flask

from services.console.auth.forms import SignInForm
from services.console.cases.forms import CommentForm
from services.console.public.forms import ReportForm


def test_a_staff_form_marks_the_box_and_keeps_the_text(app: Flask) -> None:
    typed = "Sudah dicek ke kantor\u202e camat"
    with app.test_request_context(method="POST", data={"text": typed, "visibility": "internal"}):
        form = CommentForm()
        assert form.validate() is False
        assert form.text.errors == [
            "Berisi karakter kendali (U+202E) yang tidak bisa disimpan; hapus karakter itu."
        ]
        assert form.text.data == typed


def test_the_public_report_marks_each_box_that_carries_one(app: Flask) -> None:
    data = {
        "description": "Camat memakai mobil dinas\x00 untuk relawan paslon.",
        "person1_name": "Rudi\u2066 Ginting",
        "location": "Kabanjahe",
        "identity": "anonymous",
    }
    with app.test_request_context(method="POST", data=data):
        form = ReportForm()
        form.region.choices = [("12.06", "Karo")]
        form.validate()
        marked = {f.name: f.errors[0] for f in form if f.errors}
        assert set(marked) >= {"description", "person1_name"}
        assert "(U+0000)" in marked["description"]
        assert "(U+2066)" in marked["person1_name"]
        assert "location" not in marked
        assert form.person1_name.data == "Rudi\u2066 Ginting"


def test_tabs_and_line_breaks_pass_and_passwords_are_left_to_the_service(app: Flask) -> None:
    with app.test_request_context(method="POST", data={"text": "baris\r\ndua\tkolom"}):
        assert CommentForm().validate() is True
    data = {"email": "joni@karo.example", "password": "sandi\x00panjang"}
    with app.test_request_context(method="POST", data=data):
        assert SignInForm().validate() is True
