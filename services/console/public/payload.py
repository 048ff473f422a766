"""From the report form's boxes to the report intake files, and from intake's refusals back
to the boxes.

Pure (no request, no I/O): ``build`` takes the fields' values and returns the report with the
errors to show beside each box, so the rules a citizen meets are tested on plain values.
Errors are keyed by the form's field names; a date's error sits on the box to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from services.console.public.dates import DateProblem, parse_day
from services.console.public.forms import PEOPLE
from shared.formats import (
    FormatError,
    check_nip_shape,
    normalise_email,
    normalise_phone,
)

MAX_LINKS: Final = 20
MAX_LINK: Final = 2_000
PERSON_PARTS: Final = ("name", "nip", "agency", "position")

# Intake's field paths and the boxes they belong to.
_INTAKE_FIELDS: Final = {
    "region_code": "region",
    "description": "description",
    "title": "description",
    "occurred_on": "occurred_day",
    "known_on": "known_day",
    "location": "location",
    "location.text": "location",
    "reporter": "reporter_name",
    "reporter.name": "reporter_name",
    "reporter.phone": "reporter_phone",
    "reporter.email": "reporter_email",
}
_PERSON_PATH = re.compile(r"people\[(\d+)\](?:\.(\w+))?")
_LINK_PATH = re.compile(r"evidence_urls(\[\d+\])?")
_FILE_PATH = re.compile(r"file(\[\d+\])?")
# Intake's words are English; these are what a citizen reads beside the box.
_MESSAGES: Final = {
    "region": _l("Pilih kabupaten/kota dari daftar."),
    "description": _l("Periksa cerita kejadiannya."),
    "occurred_day": _l("Periksa tanggal kejadian."),
    "known_day": _l("Periksa tanggal Anda mengetahuinya."),
    "location": _l("Periksa tempat kejadian."),
    "links": _l("Periksa tautannya: tulis alamat lengkap yang diawali https://."),
    "reporter_name": _l("Periksa nama dan kontak Anda."),
    "reporter_phone": _l("Periksa nomor HP Anda."),
    "reporter_email": _l("Periksa alamat e-mail Anda."),
}


@dataclass
class Built:
    """The report intake takes, and what to mark on the form when something is wrong."""

    payload: dict[str, Any]
    errors: dict[str, object] = field(default_factory=dict)

    def mark(self, name: str, message: object) -> None:
        self.errors.setdefault(name, message)


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


# Which date each group of three boxes holds, as its error messages name it.
_DATES = {"occurred": _l("Tanggal kejadian"), "known": _l("Tanggal Anda mengetahuinya")}


def _day(data: Mapping[str, Any], prefix: str, today: date, built: Built) -> str | None:
    try:
        found = parse_day(
            data.get(f"{prefix}_day"),
            data.get(f"{prefix}_month"),
            data.get(f"{prefix}_year"),
            today=today,
            subject=_DATES[prefix],
        )
    except DateProblem as problem:
        built.mark(f"{prefix}_{problem.part}", problem.message)
        return None
    return found.isoformat()


def links_in(text: str, built: Built) -> list[str]:
    """The links of the box, one a line; marks the box when one is not a web address."""
    found = [line.strip() for line in text.splitlines() if line.strip()]
    if len(found) > MAX_LINKS:
        built.mark("links", _l("Paling banyak 20 tautan."))
    for link in found:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > MAX_LINK:
            built.mark("links", _l("Tulis alamat lengkap yang diawali https://, satu per baris."))
            break
    return found[:MAX_LINKS]


def _people(data: Mapping[str, Any], today: date, built: Built) -> list[dict[str, str]]:
    people = []
    for i in range(1, PEOPLE + 1):
        person = {part: _text(data, f"person{i}_{part}") for part in PERSON_PARTS}
        person = {k: v for k, v in person.items() if v}
        if not person:
            continue  # a block left empty: nobody
        employment = _text(data, f"person{i}_employment")
        if employment:
            person["employment_type"] = employment
        if "nip" in person:
            try:
                check_nip_shape(person["nip"], employment or None, today)  # type: ignore[arg-type]
            except FormatError as exc:
                built.mark(
                    f"person{i}_nip",
                    _l(
                        "Honorer/non-ASN tidak punya NIP. Kosongkan kolom ini, atau pilih "
                        "PPPK bila nomor ini NI PPPK-nya."
                    )
                    if exc.code == "nip_not_asn"
                    else _l("NIP terdiri dari 18 angka; periksa lagi, atau kosongkan bila ragu."),
                )
        people.append(person)
    return people


def _reporter(data: Mapping[str, Any], built: Built) -> dict[str, Any]:
    given = {
        "name": _text(data, "reporter_name"),
        "phone": _text(data, "reporter_phone"),
        "email": _text(data, "reporter_email"),
    }
    if data.get("identity") == "anonymous":
        for part, value in given.items():
            if value:
                built.mark(
                    f"reporter_{part}",
                    _l(
                        "Laporan anonim tidak menyimpan nama atau kontak. Kosongkan kolom ini, "
                        "atau pilih \u201cDirahasiakan\u201d."
                    ),
                )
        return {"anonymous": True}
    if not given["name"]:
        built.mark("reporter_name", _l("Tulis nama Anda. Nama disimpan terenkripsi."))
    if not given["phone"] and not given["email"]:
        built.mark(
            "reporter_phone",
            _l("Isi nomor HP atau e-mail, agar kode pelacakan dan kabar laporan sampai ke Anda."),
        )
    reporter: dict[str, Any] = {"anonymous": False, "confidential": True, "name": given["name"]}
    if given["phone"]:
        try:
            reporter["phone"] = normalise_phone(given["phone"])
        except FormatError:
            built.mark("reporter_phone", _l("Tulis nomor HP Indonesia, misalnya 0812 3456 7890."))
    if given["email"]:
        try:
            reporter["email"] = normalise_email(given["email"])
        except FormatError:
            built.mark("reporter_email", _l("Tulis alamat e-mail seperti nama@contoh.id."))
    return reporter


def build(data: Mapping[str, Any], *, today: date, language: str) -> Built:
    """The report the boxes describe, and the boxes to mark (empty when it can be sent)."""
    built = Built({})
    occurred = _day(data, "occurred", today, built)
    known = _day(data, "known", today, built)
    if occurred and known and known < occurred:
        built.mark("known_day", _l("Tanggal Anda mengetahuinya tidak boleh sebelum kejadiannya."))
    built.payload = {
        "region_code": _text(data, "region"),
        "description": _text(data, "description"),
        "occurred_on": occurred,
        "known_on": known,
        "location": {"text": _text(data, "location")},
        "people": _people(data, today, built),
        "evidence_urls": links_in(_text(data, "links"), built),
        "reporter": _reporter(data, built),
        "language": language if language in ("id", "en") else "id",
    }
    return built


def box_of(path: str) -> str | None:
    """The form box an intake field path belongs to (None: the form as a whole)."""
    if path in _INTAKE_FIELDS:
        return _INTAKE_FIELDS[path]
    person = _PERSON_PATH.fullmatch(path)
    if person:
        index, part = int(person[1]) + 1, person[2]
        if part == "employment_type":
            part = "employment"
        if index <= PEOPLE:
            return f"person{index}_{part if part in (*PERSON_PARTS, 'employment') else 'name'}"
    if _LINK_PATH.fullmatch(path):
        return "links"
    if _FILE_PATH.fullmatch(path):
        return "evidence"
    return None


def marks_for(errors: list[Mapping[str, Any]]) -> tuple[dict[str, object], bool]:
    """Intake's field errors as messages beside the boxes; True when one belongs nowhere."""
    marks: dict[str, object] = {}
    stray = False
    for error in errors:
        box = box_of(str(error.get("field") or ""))
        if box is None:
            stray = True
            continue
        marks.setdefault(box, _MESSAGES.get(box, _l("Periksa isian ini.")))
    return marks, stray
