"""The operators' forms: a new API key, the confirmations, and the sign-in log's filter."""

from __future__ import annotations

from typing import Final

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from services.console.web.forms import Form
from services.console.web.labels import ROLE_LABELS

# Every role a key may have, people's first, then the console's own two service keys.
KEY_ROLES: Final = (
    "submitter",
    "officer",
    "supervisor",
    "operator",
    "auditor",
    "console",
    "public",
)
REGION_PATTERN: Final = r"^[0-9]{2}(\.[0-9]{2})?$"


class KeyForm(Form):
    name = StringField(
        _l("Nama kunci"),
        validators=[DataRequired(_l("Beri nama yang menyebut pemiliknya.")), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    region = StringField(
        _l("Kode wilayah"),
        validators=[
            DataRequired(_l("Isi kode wilayah.")),
            Regexp(REGION_PATTERN, message=_l("Tulis kode seperti 12 (provinsi) atau 12.06.")),
        ],
        render_kw={"list": "region-codes", "autocomplete": "off", "inputmode": "decimal"},
    )
    role = SelectField(
        _l("Peran"),
        choices=[("", "—"), *[(role, ROLE_LABELS[role]) for role in KEY_ROLES]],
        validators=[DataRequired(_l("Pilih peran kunci ini."))],
    )
    officer_id = StringField(
        _l("Petugas pemilik kunci (opsional)"),
        validators=[Optional(), Length(max=64)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class ConfirmForm(Form):
    """A button that changes something: only its form token."""


class LogFilterForm(Form):
    """The sign-in log's filter, sent by GET (it changes nothing, so it needs no token)."""

    class Meta:
        csrf = False

    officer = StringField(
        _l("ID petugas"),
        validators=[Optional(), Length(max=64)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
