"""The sign-in family's forms: what each page asks, checked before anything is sent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from services.console.web.forms import Form


class SignInForm(Form):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Isi alamat e-mail Anda.")), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[DataRequired(_l("Isi kata sandi Anda.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(Form):
    code = StringField(
        _l("Kode 6 angka dari aplikasi autentikator"),
        validators=[DataRequired(_l("Isi kode dari aplikasi.")), Length(max=16)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "pattern": "[0-9 ]*",
            "spellcheck": "false",
        },
    )


class NewPasswordForm(Form):
    password = PasswordField(
        _l("Kata sandi baru"),
        validators=[DataRequired(_l("Buat kata sandi.")), Length(max=256)],
        render_kw={"autocomplete": "new-password", "minlength": "10"},
    )
    password_again = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[
            DataRequired(_l("Ketik kata sandi sekali lagi.")),
            EqualTo("password", _l("Kedua kata sandi tidak sama.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotForm(Form):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Isi alamat e-mail Anda.")), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )


class PasswordCheckForm(Form):
    password = PasswordField(
        _l("Kata sandi Anda"),
        validators=[DataRequired(_l("Isi kata sandi Anda.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class ConfirmForm(Form):
    """A button and nothing else (with its CSRF token): sign out, end sessions, invite."""
