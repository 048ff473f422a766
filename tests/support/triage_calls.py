"""Calling triage's app in-process and triaging a case through its handler, as the triage
integration tests do."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from services.triage.deps import TriageDeps
from services.triage.new_cases import handle_case_submitted
from shared.problems import PROBLEM_JSON
from tests.unit.triage.builders import envelope_of, submitted


def call(
    client: FlaskClient, method: str, path: str, key: str = "karo-supervisor", body: Any = None
) -> tuple[int, Any]:
    """Status and JSON of one request; every refusal must be problem+json."""
    answer = client.open(path, method=method, json=body, headers={"Authorization": f"Bearer {key}"})
    if answer.status_code >= 400:
        assert answer.mimetype == PROBLEM_JSON
    return answer.status_code, answer.get_json()


def triage_case(worker: TriageDeps, **changes: Any) -> dict[str, Any]:
    """Submit a case (the builders' default, with ``changes``) and return its decision."""
    event = submitted(at=worker.clock(), **changes)
    assert handle_case_submitted(envelope_of(event), event, worker)
    decision = worker.decisions.find_one({"case_id": event.case_id})
    assert decision is not None
    return decision
