"""The filters of the statistics pages, read from the URL (the page and its charts) or from
the export form (the same filters, with a form token), and what they ask of intake.

One form class serves both: ``filter_form`` builds it for a person, with the category and
region choices they may pick (a regency's people get no region choice: intake keeps them in
their regency anyway).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, tzinfo
from typing import Any, Final

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField
from wtforms.validators import Optional

from services.console.stats import period as periods
from services.console.web.forms import Form
from services.console.web.labels import CATEGORY_CODES, category, region_label
from services.console.web.person import Person
from shared.regions import named_regencies

_REGENCY = re.compile(r"[0-9]{2}\.[0-9]{2}")

PERIOD_LABELS: Final = {
    "30": _l("30 hari terakhir"),
    "90": _l("90 hari terakhir"),
    "365": _l("Setahun terakhir"),
    periods.CUSTOM: _l("Pilih tanggal"),
}
_RANGE_MESSAGES: Final = {
    ("start", "missing"): _l("Isi tanggal awal, atau pilih periode lain."),
    ("end", "missing"): _l("Isi tanggal akhir, atau pilih periode lain."),
    ("start", "too_early"): _l("Tanggal awal paling awal 1 Januari 2000."),
    ("end", "too_early"): _l("Tanggal akhir paling awal 1 Januari 2000."),
    ("start", "too_late"): _l("Tanggal awal paling akhir 31 Desember 2099."),
    ("end", "too_late"): _l("Tanggal akhir paling akhir 31 Desember 2099."),
    ("end", "reversed"): _l("Tanggal akhir harus sama dengan atau sesudah tanggal awal."),
}


class FilterForm(Form):
    """Period, category and (for provincial roles) regency."""

    period = RadioField(
        _l("Periode"),
        choices=list(PERIOD_LABELS.items()),
        default=periods.DEFAULT,
        validate_choice=False,
    )
    start = DateField(_l("Dari tanggal"), validators=[Optional()])
    end = DateField(_l("Sampai tanggal"), validators=[Optional()])
    category = SelectField(_l("Kategori"), default="", validate_choice=False)
    region = SelectField(_l("Wilayah"), default="", validate_choice=False)

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        """The fields' own checks, then the range and the choices, each error in words
        beside its field."""
        super().validate(extra_validators)
        if self.period.data not in periods.PERIODS:
            self.period.errors = [_l("Pilih salah satu periode.")]
        elif self.period.data == periods.CUSTOM:
            for name in ("start", "end"):
                if getattr(self, name).errors:
                    getattr(self, name).errors = [_l("Tulis tanggal seperti 2024-11-27.")]
            problems = periods.check_range(self.start.data, self.end.data)
            for name, key in problems.items():
                field = getattr(self, name)
                if not field.errors:
                    field.errors = [_RANGE_MESSAGES[(name, key)]]
        else:
            # Dates typed for a period that does not use them are not a mistake to report.
            self.start.errors = []
            self.end.errors = []
        codes = {value for value, _label in self.category.choices}
        if self.category.data not in codes:
            self.category.errors = [_l("Kategori ini tidak dikenal.")]
        if "region" in self:
            regions = {value for value, _label in self.region.choices}
            if self.region.data not in regions:
                self.region.errors = [_l("Wilayah ini tidak berada di provinsi Anda.")]
        self._errors = None  # the errors changed after WTForms gathered them
        return not any(field.errors for field in self)

    # ------------------------------------------------------------------ what they ask

    def bounds(self, *, today: date, zone: tzinfo) -> periods.Bounds:
        return periods.bounds(
            str(self.period.data), self.start.data, self.end.data, today=today, zone=zone
        )

    @property
    def region_code(self) -> str | None:
        return (self.region.data or None) if "region" in self else None

    def pairs(self) -> list[tuple[str, str]]:
        """The filters as a query string's pairs (for links, charts and the export form)."""
        found = [("period", str(self.period.data))]
        if self.period.data == periods.CUSTOM and self.start.data and self.end.data:
            found += [("start", self.start.data.isoformat()), ("end", self.end.data.isoformat())]
        if self.category.data:
            found.append(("category", str(self.category.data)))
        if self.region_code:
            found.append(("region", self.region_code))
        return found

    def statistics_query(self, *, today: date, zone: tzinfo) -> list[tuple[str, str]]:
        """The question for intake's ``GET /v1/statistics``."""
        span = self.bounds(today=today, zone=zone)
        query = [("from", span.start.isoformat())]
        if span.end is not None:
            query.append(("to", span.end.isoformat()))
        if self.category.data:
            query.append(("category", str(self.category.data)))
        if self.region_code:
            query.append(("region_code", self.region_code))
        return query

    def export_filters(self, *, today: date, zone: tzinfo) -> dict[str, str]:
        """The same cases as the figures, as filters of intake's ``POST /v1/exports``."""
        span = self.bounds(today=today, zone=zone)
        body = {"submitted_from": span.start.isoformat()}
        if span.end is not None:
            body["submitted_to"] = span.end.isoformat()
        if self.category.data:
            body["category"] = str(self.category.data)
        if self.region_code:
            body["region_code"] = self.region_code
        return body


def region_choices(person: Person, wanted: str | None) -> list[tuple[str, str]]:
    """The regencies a provincial person may pick: the named ones of their province, and the
    one a shared link names if it lies there too."""
    codes = list(named_regencies(person.region))
    inside = bool(wanted and _REGENCY.fullmatch(wanted) and wanted.startswith(person.region + "."))
    if inside and wanted not in codes:
        codes.append(str(wanted))
    return [("", str(_l("Seluruh provinsi"))), *((code, region_label(code)) for code in codes)]


def filter_form(person: Person, formdata: Any, *, csrf: bool) -> FilterForm:
    """The filters ``person`` may use, filled from ``formdata`` (the URL's or a form's)."""
    form = FilterForm(formdata=formdata, meta={"csrf": csrf})
    form.category.choices = [
        ("", str(_l("Semua kategori"))),
        *((code, category(code)) for code in CATEGORY_CODES),
    ]
    if person.is_provincial:
        form.region.choices = region_choices(person, formdata.get("region"))
    else:
        del form.region
    return form
