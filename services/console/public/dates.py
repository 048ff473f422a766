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


def parse_day(
    day: str | None, month: str | None, year: str | None, *, today: date, subject: object
) -> date:
    """The date the three boxes say, not after ``today``; DateProblem says what is wrong.

    Every message opens with ``subject`` (which date: a form may ask for two): in the error
    summary at the top of the page, two dates' identical messages could not be told apart.
    """
    parts = {
        "day": (day or "").strip(),
        "month": (month or "").strip(),
        "year": (year or "").strip(),
    }
    if not any(parts.values()):
        raise DateProblem(_l("%(subject)s: isi tanggal, bulan dan tahun.", subject=subject))
    for name, label in (("day", _l("tanggal")), ("month", _l("bulan")), ("year", _l("tahun"))):
        if not parts[name]:
            raise DateProblem(_l("%(subject)s: isi %(part)s.", subject=subject, part=label), name)
        if not parts[name].isdigit():
            raise DateProblem(
                _l("%(subject)s: tulis %(part)s dengan angka.", subject=subject, part=label), name
            )
    if len(parts["year"]) != 4:
        raise DateProblem(
            _l("%(subject)s: tulis tahun dengan 4 angka, misalnya 2024.", subject=subject), "year"
        )
    try:
        found = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError as exc:
        part = "month" if not 1 <= int(parts["month"]) <= 12 else "day"
        raise DateProblem(
            _l("%(subject)s: tanggal ini tidak ada di kalender.", subject=subject), part
        ) from exc
    if found.year < 2000:
        raise DateProblem(
            _l("%(subject)s: harus tahun 2000 atau sesudahnya.", subject=subject), "year"
        )
    if found > today:
        raise DateProblem(_l("%(subject)s: tidak boleh sesudah hari ini.", subject=subject))
    return found
