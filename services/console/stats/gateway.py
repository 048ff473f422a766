"""The questions the statistics pages ask intake, as the signed-in person: intake keeps them
to their area and role, and refuses what is too large."""

from __future__ import annotations

from typing import Any

import requests

from services.console.clients.base import Json
from services.console.deps import deps
from services.console.web.person import Person


def statistics(person: Person, query: list[tuple[str, str]]) -> Json:
    """Counts, durations and the weekly trend of the person's area (intake's one aggregation)."""
    return deps().intake.get("/v1/statistics", person.token, params=query)


def start_export(person: Person, filters: dict[str, Any]) -> Json:
    """Ask for a CSV of the cases ``filters`` select; the queued job."""
    return deps().intake.post("/v1/exports", person.token, json=filters)


def export_job(person: Person, export_id: str) -> Json:
    """An export's status and progress (``NotFound`` if it is not the person's to see)."""
    return deps().intake.get(f"/v1/exports/{export_id}", person.token)


def export_file(person: Person, export_id: str) -> requests.Response:
    """The export's CSV as a stream (the caller closes it)."""
    return deps().intake.stream(f"/v1/exports/{export_id}/download", person.token)


def triage_quality(person: Person, region: str, days: int) -> Json:
    """How often triage's proposals agreed with officers' labels in the last ``days``."""
    params = [("days", str(days)), ("region_code", region)]
    return deps().triage.get("/v1/triage/quality", person.token, params=params)
