"""The CSV an export writes: its columns, one case as a row, and cells safe for spreadsheets.

Pure: no database, no files. The runner feeds it batches of case documents and writes the
bytes it returns.

The description is left out on purpose: it is free text of any length in which reporters
name people (the accused, witnesses, sometimes themselves), and it breaks most spreadsheets
with its line breaks. The title says what a case is about; the case itself is one click away
from its id.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

from shared import dates

COLUMNS: Final = (
    "id",
    "tracking_code",
    "tenant",
    "status",
    "source",
    "category",
    "priority",
    "sanction_level",
    "unit",
    "assignee_officer_id",
    "submitted_at",
    "due_at",
    "first_action_at",
    "closed_at",
    "late_filing",
    "title",
)
REPORTER_COLUMNS: Final = ("reporter_name", "reporter_phone", "reporter_email")

# The fields of a case document the rows are made of; the runner reads nothing else.
PROJECTION: Final[dict[str, int]] = {
    "tracking_code": 1,
    "tenant": 1,
    "status": 1,
    "source": 1,
    "triage.category": 1,
    "triage.priority": 1,
    "triage.sanction_level": 1,
    "triage.unit": 1,
    "triage.assignee": 1,
    "submitted_at": 1,
    "triage.due_at": 1,
    "first_action_at": 1,
    "closed_at": 1,
    "late_filing": 1,
    "title": 1,
    "reporter": 1,
}

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR,
# may shift it into one), so "=HYPERLINK(...)" in a title would run on the clerk's machine.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")

# Excel opens a CSV as the system's legacy code page unless it starts with a byte order
# mark; with it, Indonesian names and place names keep their letters. Other readers skip it.
BOM: Final = "\ufeff"


def guard_cell(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading apostrophe before a formula start.

    OWASP's advice for CSV injection; the apostrophe shows in plain-text readers, a small
    price for a file that is opened in Excel and LibreOffice by default.
    """
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def header(include_reporter: bool) -> list[str]:
    return [*COLUMNS, *(REPORTER_COLUMNS if include_reporter else ())]


def _moment(value: Any, tz: tzinfo) -> str:
    if not isinstance(value, datetime):
        return ""
    return dates.aware(value).astimezone(tz).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_row(
    doc: Mapping[str, Any],
    *,
    tz: tzinfo = UTC,
    identity: Mapping[str, Any] | None = None,
    include_reporter: bool = False,
) -> list[str]:
    """One case as CSV cells, in ``header`` order, every cell guarded.

    Moments are ISO 8601 in ``tz`` (the regency's zone: what the office's clock showed).
    ``identity`` is the opened reporter identity, if the export includes it; an anonymous
    case has none and gets empty reporter cells.
    """
    triage = doc.get("triage") or {}
    assignee = triage.get("assignee") or {}
    cells = [
        _text(doc.get("_id")),
        _text(doc.get("tracking_code")),
        _text(doc.get("tenant")),
        _text(doc.get("status")),
        _text(doc.get("source")),
        _text(triage.get("category")),
        _text(triage.get("priority")),
        _text(triage.get("sanction_level")),
        _text(triage.get("unit")),
        _text(assignee.get("officer_id") if isinstance(assignee, Mapping) else None),
        _moment(doc.get("submitted_at"), tz),
        _moment(triage.get("due_at"), tz),
        _moment(doc.get("first_action_at"), tz),
        _moment(doc.get("closed_at"), tz),
        _text(bool(doc.get("late_filing", False))),
        _text(doc.get("title")),
    ]
    if include_reporter:
        found = identity or {}
        cells += [_text(found.get("name")), _text(found.get("phone")), _text(found.get("email"))]
    return [guard_cell(cell) for cell in cells]


def encode_rows(rows: Iterable[Sequence[str]], *, first: bool = False) -> bytes:
    """CSV bytes (UTF-8, CRLF line ends as RFC 4180 says) for ``rows``; ``first`` adds the BOM."""
    buffer = io.StringIO()
    if first:
        buffer.write(BOM)
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")
