"""The public pages' forms: the report (short sections on one page), the tracking code, and
the reporter's answer. The fields check what each box alone can say; the rules across boxes
(a date from three boxes, who the reporter is) are ``payload.py``'s."""

from __future__ import annotations

from typing import Final

from flask_babel import lazy_gettext as _l
from wtforms import (
    Field,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from services.console.web.forms import Form

PEOPLE: Final = 3
MIN_DESCRIPTION: Final = 20
MAX_DESCRIPTION: Final = 10_000
MAX_LOCATION: Final = 500
MAX_LINKS_TEXT: Final = 20 * 2_000
MAX_ANSWER: Final = 4_000
# What a phone's file picker offers; intake checks the bytes whatever the browser says.
ACCEPT: Final = "image/*,video/*,audio/*,application/pdf"

EMPLOYMENT: Final = [
    ("", _l("Tidak tahu")),
    ("PNS", _l("PNS")),
    ("PPPK", _l("PPPK")),
    ("NON_ASN", _l("Honorer / non-ASN")),
]

_NUMERIC = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}


def _date_part(label: object, size: int) -> StringField:
    # The three boxes are judged together, by the date they make (``dates.parse_day``), whose
    # messages name the date: a box's own length check would say only "at most 2 characters".
    return StringField(
        label, validators=[Optional()], render_kw={**_NUMERIC, "size": size, "maxlength": size}
    )


def _person_text(label: object, most: int = 200) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=most)])


class ReportForm(Form):
    """A citizen's report, in the order the page asks it."""

    region = SelectField(
        _l("Kabupaten/kota"), validators=[DataRequired(_l("Pilih kabupaten/kota tempat kejadian."))]
    )
    location = StringField(
        _l("Tempat kejadian"),
        validators=[
            DataRequired(_l("Tulis di mana kejadiannya.")),
            Length(max=MAX_LOCATION, message=_l("Paling banyak 500 karakter.")),
        ],
    )
    description = TextAreaField(
        _l("Apa yang terjadi?"),
        validators=[
            DataRequired(_l("Ceritakan apa yang terjadi.")),
            Length(
                min=MIN_DESCRIPTION,
                max=MAX_DESCRIPTION,
                message=_l("Ceritakan dalam 20 sampai 10.000 karakter."),
            ),
        ],
        render_kw={"rows": 6},
    )
    links = TextAreaField(
        _l("Tautan (tidak wajib)"),
        validators=[Optional(), Length(max=MAX_LINKS_TEXT)],
        render_kw={"rows": 3, "spellcheck": "false", "autocapitalize": "off"},
    )
    occurred_day = _date_part(_l("Tanggal"), 2)
    occurred_month = _date_part(_l("Bulan"), 2)
    occurred_year = _date_part(_l("Tahun"), 4)
    known_day = _date_part(_l("Tanggal"), 2)
    known_month = _date_part(_l("Bulan"), 2)
    known_year = _date_part(_l("Tahun"), 4)

    person1_name = _person_text(_l("Nama"))
    person1_nip = _person_text(_l("NIP (18 angka)"), 32)
    person1_agency = _person_text(_l("Instansi atau kantor"))
    person1_position = _person_text(_l("Jabatan"))
    person1_employment = RadioField(_l("Status kepegawaian"), choices=EMPLOYMENT, default="")
    person2_name = _person_text(_l("Nama"))
    person2_nip = _person_text(_l("NIP (18 angka)"), 32)
    person2_agency = _person_text(_l("Instansi atau kantor"))
    person2_position = _person_text(_l("Jabatan"))
    person2_employment = RadioField(_l("Status kepegawaian"), choices=EMPLOYMENT, default="")
    person3_name = _person_text(_l("Nama"))
    person3_nip = _person_text(_l("NIP (18 angka)"), 32)
    person3_agency = _person_text(_l("Instansi atau kantor"))
    person3_position = _person_text(_l("Jabatan"))
    person3_employment = RadioField(_l("Status kepegawaian"), choices=EMPLOYMENT, default="")

    evidence = MultipleFileField(_l("Berkas bukti (tidak wajib)"), render_kw={"accept": ACCEPT})

    identity = RadioField(
        _l("Bagaimana identitas Anda disimpan?"),
        choices=[
            ("confidential", _l("Dirahasiakan")),
            ("anonymous", _l("Anonim")),
        ],
        default="confidential",
        validators=[DataRequired(_l("Pilih dirahasiakan atau anonim."))],
    )
    reporter_name = StringField(
        _l("Nama Anda"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    reporter_phone = StringField(
        _l("Nomor HP"),
        validators=[Optional(), Length(max=32)],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
    )
    reporter_email = StringField(
        _l("E-mail"),
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"},
    )

    check_answer = StringField(
        _l("Pertanyaan keamanan"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    challenge = HiddenField()
    proof = HiddenField()
    sending = HiddenField()
    # The trap: hidden by the stylesheet, filled only by programs that fill every box.
    kosongkan = StringField(
        _l("Jangan isi kolom ini"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )

    def people(self) -> list[dict[str, Field]]:
        """The person blocks' fields, by their short names."""
        return [
            {
                part: self[f"person{i}_{part}"]
                for part in ("name", "nip", "agency", "position", "employment")
            }
            for i in range(1, PEOPLE + 1)
        ]


class TrackForm(Form):
    """The tracking code, sent by GET so the status has an address to come back to."""

    class Meta:
        csrf = False  # a GET that changes nothing

    kode = StringField(
        _l("Kode pelacakan"),
        validators=[DataRequired(_l("Isi kode pelacakan Anda.")), Length(max=40)],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )


class AnswerForm(Form):
    """The reporter's answer to an officer's question."""

    text = TextAreaField(
        _l("Jawaban Anda"),
        validators=[
            DataRequired(_l("Tulis jawaban Anda.")),
            Length(max=MAX_ANSWER, message=_l("Paling banyak 4.000 karakter.")),
        ],
        render_kw={"rows": 5},
    )
    evidence = MultipleFileField(_l("Berkas tambahan (tidak wajib)"), render_kw={"accept": ACCEPT})
    sending = HiddenField()
    kosongkan = StringField(
        _l("Jangan isi kolom ini"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )
