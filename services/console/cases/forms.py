"""The forms of the case page: exactly the fields each action needs.

Every changing form carries the case version the person read (``version``) and when the page
was shown (``loaded_at``): intake refuses a change made on a stale version, and the page then
shows what changed meanwhile and offers to redo the change on the new version.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from services.console.web.forms import Form
from services.console.web.labels import (
    CATEGORY_CODES,
    PRIORITY_CODES,
    category,
    priority,
    sanction_label,
)

MAX_TEXT = 2000
SANCTIONS = ("ringan", "sedang", "berat", "ptdh", "etik")


class VersionedForm(Form):
    version = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    loaded_at = HiddenField()


class AcknowledgeForm(VersionedForm):
    pass


class StatusForm(VersionedForm):
    status = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Alasan"), validators=[Optional(), Length(max=MAX_TEXT)])
    note = TextAreaField(_l("Catatan (opsional)"), validators=[Optional(), Length(max=MAX_TEXT)])
    finding = RadioField(
        _l("Hasil pemeriksaan"),
        choices=[("proven", _l("Terbukti")), ("not_proven", _l("Tidak terbukti"))],
        validators=[Optional()],
    )
    sanction_level = SelectField(
        _l("Tingkat sanksi"),
        # Called when the form is drawn, so the words are in the person's language.
        choices=lambda: [("", "—"), *[(s, sanction_label(s)) for s in SANCTIONS]],
        validators=[Optional()],
    )
    decision_ref = StringField(
        _l("Nomor surat keputusan PPK"), validators=[Optional(), Length(max=100)]
    )
    duplicate_of = StringField(
        _l("Kode lacak (atau id) kasus yang diulang"), validators=[Optional(), Length(max=40)]
    )


class CommentForm(Form):
    text = TextAreaField(
        _l("Komentar"), validators=[DataRequired(_l("Tulis komentarnya.")), Length(max=MAX_TEXT)]
    )
    visibility = RadioField(
        _l("Siapa yang dapat membaca"),
        choices=[
            ("internal", _l("Hanya petugas")),
            ("reporter", _l("Juga pelapor (tampil di halaman lacak, tanpa nama Anda)")),
        ],
        default="internal",
    )
    loaded_at = HiddenField()


class InformationRequestForm(VersionedForm):
    question = TextAreaField(
        _l("Pertanyaan untuk pelapor"),
        validators=[
            DataRequired(_l("Tulis pertanyaannya.")),
            Length(min=5, max=MAX_TEXT, message=_l("Antara 5 dan 2000 karakter.")),
        ],
    )


class DuplicateForm(VersionedForm):
    case_id = StringField(
        _l("Kode lacak (atau id) kasus yang sama"),
        validators=[
            DataRequired(_l("Tulis kode lacak kasus yang sama, misalnya K7QM-3XPA-9D2F-HT6W.")),
            Length(max=40),
        ],
    )


class ReassignForm(VersionedForm):
    officer_id = SelectField(_l("Petugas baru"), validators=[DataRequired(_l("Pilih petugas."))])
    reason = TextAreaField(
        _l("Alasan"),
        validators=[DataRequired(_l("Tulis alasannya.")), Length(min=3, max=MAX_TEXT)],
    )


class TransferForm(VersionedForm):
    region_code = SelectField(_l("Wilayah tujuan"), validators=[DataRequired()])
    reason = TextAreaField(
        _l("Alasan"),
        validators=[DataRequired(_l("Tulis alasannya.")), Length(min=3, max=MAX_TEXT)],
    )


class ReopenForm(VersionedForm):
    reason = TextAreaField(
        _l("Alasan membuka kembali"),
        validators=[DataRequired(_l("Tulis alasannya.")), Length(min=3, max=MAX_TEXT)],
    )


class OverrideForm(Form):
    category = SelectField(
        _l("Kategori"),
        choices=lambda: [("", "—"), *[(c, category(c)) for c in CATEGORY_CODES]],
        validators=[Optional()],
    )
    priority = SelectField(
        _l("Prioritas"),
        choices=lambda: [("", "—"), *[(p, priority(p)) for p in PRIORITY_CODES]],
        validators=[Optional()],
    )
    reason = TextAreaField(
        _l("Alasan koreksi"),
        validators=[DataRequired(_l("Tulis alasannya.")), Length(max=MAX_TEXT)],
    )
    loaded_at = HiddenField()


class RevealForm(Form):
    reason = TextAreaField(
        _l("Alasan membuka identitas pelapor (dicatat)"),
        validators=[
            DataRequired(_l("Tulis alasannya.")),
            Length(min=10, max=500, message=_l("Antara 10 dan 500 karakter.")),
        ],
    )
    loaded_at = HiddenField()
