"""The team pages' forms: a bulk action, a person's directory entry, and a confirmation.

Each asks exactly what intake needs and checks what can be checked here; intake checks again
and its field errors are put beside the same fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import HiddenInput

from services.console.web.forms import Form

MAX_REASON = 2000
UNITS = ("DISKOMINFO", "BKPSDM", "INSPEKTORAT", "BAWASLU_LIAISON", "PROVINSI")
# As intake's directory spells ids: lower-case words joined by hyphens.
OFFICER_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class BulkForm(Form):
    """The queue's bulk form (``case_id`` fields are read apart: there may be a hundred)."""

    action = SelectField(
        _l("Tindakan"),
        choices=[
            ("acknowledge", _l("Tandai sudah diterima")),
            ("reassign", _l("Alihkan ke petugas")),
        ],
        validators=[DataRequired(_l("Pilih tindakannya."))],
    )
    # Checked below, and only for a reassignment: an acknowledgement has no target.
    officer_id = SelectField(
        _l("Petugas tujuan (untuk pengalihan)"), choices=[("", "—")], validate_choice=False
    )
    reason = TextAreaField(
        _l("Alasan (dicatat pada setiap kasus)"), validators=[Length(max=MAX_REASON)]
    )
    back = HiddenField()
    loaded_at = HiddenField()

    def validate_officer_id(self, field: SelectField) -> None:
        if self.action.data != "reassign":
            return
        if not field.data:
            raise ValidationError(_l("Pilih petugas tujuan pengalihan."))
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Petugas ini tidak aktif atau tidak ada di wilayah Anda."))

    def validate_reason(self, field: TextAreaField) -> None:
        if self.action.data == "reassign" and len((field.data or "").strip()) < 3:
            raise ValidationError(_l("Tulis alasan pengalihan (minimal 3 huruf)."))


class PersonForm(Form):
    """A person's directory entry as a supervisor fills it in."""

    name = StringField(
        _l("Nama lengkap"),
        validators=[DataRequired(_l("Tulis namanya.")), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    region = SelectField(_l("Wilayah kerja"), validators=[DataRequired(_l("Pilih wilayahnya."))])
    unit = SelectField(
        _l("Unit"),
        choices=[(u, u) for u in UNITS],
        validators=[DataRequired(_l("Pilih unitnya."))],
    )
    role = SelectField(_l("Peran"), validators=[DataRequired(_l("Pilih perannya."))])
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    phone = TelField(
        _l("Nomor HP"),
        validators=[Optional(), Length(max=30)],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    language = RadioField(
        _l("Bahasa pemberitahuan"),
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        default="id",
    )


class NewPersonForm(PersonForm):
    officer_id = StringField(
        _l("Id petugas"),
        validators=[
            DataRequired(_l("Tulis id-nya.")),
            Length(min=2, max=64),
            Regexp(OFFICER_ID, message=_l("Huruf kecil, angka dan tanda hubung saja.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )


class EditPersonForm(PersonForm):
    version = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    # The entry as the person read it (JSON), to show what a colleague changed meanwhile.
    snapshot = HiddenField()


class ConfirmForm(Form):
    """A button that changes something: the token is all it carries."""


class VersionForm(Form):
    version = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
