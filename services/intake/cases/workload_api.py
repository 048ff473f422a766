"""The team board's figures over HTTP: each officer's open cases, counted by MongoDB
(``workload``)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from services.intake.cases import workload
from services.intake.cases.models import Case
from shared.auth import OVERSEERS, current_principal, requires
from shared.openapi import operation
from shared.request_input import parse_query

bp = Blueprint("workload", __name__)


@bp.get("/v1/workload")
@operation(
    summary="Each officer's open cases in your area: open, overdue, due soon, waiting, untouched",
    description="One row per regency and assigned officer, and one per regency for the open "
    "cases nobody holds (at the province desk or not routed yet). 'due_soon' counts open cases "
    "whose deadline is before 'due_before' (overdue ones too), as GET /v1/cases?due_before= "
    "lists them. An untouched case is still 'received' and acknowledged by nobody; the oldest "
    "is named. Officers without open cases have no row.",
    query=workload.WorkloadQuery,
    answers={200: (workload.Workload, "The figures, by region and officer.")},
    problems=(401, 403, 422),
    texts={
        403: "The key's role may not read the team's workload.",
        422: "Invalid filters, or a region outside your area.",
    },
)
@requires(*OVERSEERS)
def team_workload() -> ResponseReturnValue:
    query = parse_query(workload.WorkloadQuery)
    body = workload.compute(
        Case._get_collection(), query, current_principal(), now=datetime.now(UTC)
    )
    return jsonify(workload.Workload.model_validate(body).model_dump(mode="json"))
