"""Statistics of a region's cases over HTTP, computed by MongoDB (``statistics``)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from services.intake.cases.models import Case
from services.intake.exports import statistics
from services.intake.exports.answers import Statistics
from shared.auth import OVERSEERS, current_principal, requires
from shared.openapi import operation
from shared.regions import timezone_for
from shared.request_input import parse_query

bp = Blueprint("statistics", __name__)


@bp.get("/v1/statistics")
@operation(
    summary="Counts and handling times of your area's cases",
    description="Counts by category, status, regency and month of submission; mean and median "
    "hours to the first action and to closing; the share of closed cases closed within their "
    "statutory deadline, all over the cases submitted in the period (from, to). The weekly "
    "trend counts the cases received and the cases closed in each of the 12 weeks (Monday to "
    "Sunday, in your time zone) up to the period's end or now. category narrows every figure "
    "to one category. A provincial key also gets one row per regency. No personal data.",
    query=statistics.StatisticsQuery,
    answers={200: (Statistics, "The figures.")},
    problems=(401, 403, 422),
    texts={
        403: "The key's role may not read statistics.",
        422: "Invalid filters, or a region outside your area.",
    },
)
@requires(*OVERSEERS)
def case_statistics() -> ResponseReturnValue:
    principal = current_principal()
    query = parse_query(statistics.StatisticsQuery)
    body = statistics.compute(
        Case._get_collection(),
        query,
        principal,
        # Months are counted on the caller's calendar (WIB, WITA or WIT).
        timezone=timezone_for(principal.region).key,
        now=datetime.now(UTC),
    )
    return jsonify(Statistics.model_validate(body).model_dump(mode="json", by_alias=True))
