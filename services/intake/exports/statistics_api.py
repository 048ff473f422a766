"""Statistics of a region's cases over HTTP, computed by MongoDB (``statistics``)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from services.intake.cases.models import Case
from services.intake.cases.schemas import field_errors
from services.intake.exports import statistics
from services.intake.exports.openapi import Statistics
from shared.auth import current_principal, requires
from shared.problems import Problem
from shared.regions import timezone_for

bp = Blueprint("statistics", __name__)

STATISTICS_ROLES = ("supervisor", "operator", "auditor")


@bp.get("/v1/statistics")
@requires(*STATISTICS_ROLES)
def case_statistics() -> ResponseReturnValue:
    principal = current_principal()
    try:
        query = statistics.StatisticsQuery.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise Problem(
            422, "Some filters need correcting; see 'errors'.", errors=field_errors(exc)
        ) from exc
    body = statistics.compute(
        Case._get_collection(),
        query,
        principal,
        # Months are counted on the caller's calendar (WIB, WITA or WIT).
        timezone=timezone_for(principal.region).key,
    )
    return jsonify(Statistics.model_validate(body).model_dump(mode="json", by_alias=True))
