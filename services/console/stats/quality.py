"""The table of triage's agreement with officers on the statistics page: per category, the
precision and recall of its proposals over the last 30 and 90 days (triage's figures, asked
as the signed-in person; supervisors and operators see it)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_percent
from flask_babel import gettext as _

from services.console.clients.base import Json, ServiceDown
from services.console.stats import gateway
from services.console.stats.figures import NO_FIGURE, Row, count
from services.console.web.labels import category
from services.console.web.person import Person

WINDOWS = (30, 90)


@dataclass(frozen=True)
class QualityTable:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    labelled: str  # cases labelled in the longest window, formatted
    available: bool = True


def _percent(value: object) -> str:
    return str(format_percent(float(value))) if isinstance(value, int | float) else NO_FIGURE


def quality_table(person: Person, region: str) -> QualityTable | None:
    """The table for ``region``; None for those who do not manage it (officers, auditors)."""
    if not person.manages:
        return None
    columns = (
        _("Kategori"),
        _("Presisi 30 hari"),
        _("Recall 30 hari"),
        _("Presisi 90 hari"),
        _("Recall 90 hari"),
    )
    try:
        answers: dict[int, Json] = {
            days: gateway.triage_quality(person, region, days) for days in WINDOWS
        }
    except ServiceDown:
        return QualityTable(columns, (), NO_FIGURE, available=False)
    month = {row["category"]: row for row in answers[30].get("categories", [])}
    rows = []
    for row in answers[90].get("categories", []):
        if not (row.get("proposed") or row.get("labelled")):
            continue  # neither proposed nor chosen in 90 days: nothing to say
        recent = month.get(row["category"], {})
        cells = (
            _percent(recent.get("precision")),
            _percent(recent.get("recall")),
            _percent(row.get("precision")),
            _percent(row.get("recall")),
        )
        rows.append(Row(category(str(row["category"])), cells))
    return QualityTable(columns, tuple(rows), count(answers[90].get("examples")))
