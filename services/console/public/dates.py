"""Dates typed as three boxes (day, month, year), the GOV.UK way: what a person on a phone
types most reliably, with or without a date picker."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l


class DateProblem(ValueError):
    """A date that cannot be read; ``part`` is the box to mark (day, month or year)."""

    def __init__(self, message: object, part: str = "day") -> None:
        super().__init__(str(message))
        self.message = message
        self.part = part


def parse_day(day: str | None, month: str | None, year: str | None, *, today: date) -> date:
    """The date the three boxes say, not after ``today``; DateProblem says what is wrong."""
    parts = {
        "day": (day or "").strip(),
        "month": (month or "").strip(),
        "year": (year or "").strip(),
    }
    if not any(parts.values()):
        raise DateProblem(_l("Isi tanggal, bulan dan tahun."))
    for name, label in (("day", _l("tanggal")), ("month", _l("bulan")), ("year", _l("tahun"))):
        if not parts[name]:
            raise DateProblem(_l("Isi %(part)s.", part=label), name)
        if not parts[name].isdigit():
            raise DateProblem(_l("Tulis %(part)s dengan angka.", part=label), name)
    if len(parts["year"]) != 4:
        raise DateProblem(_l("Tulis tahun dengan 4 angka, misalnya 2024."), "year")
    try:
        found = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError as exc:
        part = "month" if not 1 <= int(parts["month"]) <= 12 else "day"
        raise DateProblem(_l("Tanggal ini tidak ada di kalender."), part) from exc
    if found.year < 2000:
        raise DateProblem(_l("Tanggal harus tahun 2000 atau sesudahnya."), "year")
    if found > today:
        raise DateProblem(_l("Tanggal tidak boleh sesudah hari ini."))
    return found
