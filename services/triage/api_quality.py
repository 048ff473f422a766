"""What triage learned from officers, over HTTP: the agreement of its proposals with their
labels, and the evaluation of a candidate rules version on the cases they labelled."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field, field_validator

from services.triage import quality_openapi as shapes
from services.triage.api_access import region_param, triage_deps, visible_regency
from services.triage.config_schema import ConfigInvalid, parse_rules_payload
from services.triage.domain.quality import WINDOWS
from services.triage.learning import (
    evaluate_candidate,
    evaluation_json,
    quality_json,
    region_quality,
)
from shared.auth import MANAGERS, OVERSEERS, Principal, current_principal, requires
from shared.openapi import operation
from shared.problems import Problem
from shared.request_input import parse_body, parse_query

bp = Blueprint("triage_quality", __name__)

_NO_REGION = "No such region for this key."


class QualityQuery(BaseModel):
    days: int = Field(
        default=30,
        description="The window: the last 30 or 90 days.",
        json_schema_extra={"enum": list(WINDOWS)},
    )
    region_code: str | None = Field(
        default=None,
        max_length=20,
        description="A regency, or a province for all its regencies; the key's own region "
        "when absent.",
    )

    @field_validator("days")
    @classmethod
    def _a_window(cls, value: int) -> int:
        if value not in WINDOWS:
            raise ValueError(f"one of {', '.join(map(str, WINDOWS))}")
        return value


def _visible_region(principal: Principal, requested: str | None) -> str:
    if requested is None:
        return principal.region
    region = region_param(requested)
    if not principal.can_see(region.code):
        raise Problem(404, _NO_REGION)
    return region.code


@bp.get("/v1/triage/quality")
@operation(
    summary="Precision and recall of triage's proposals against officers' labels",
    description="Every case an officer verified as proposed (or moved past verification) or "
    "whose category they overrode is a labelled example; the figures count those labelled "
    "in the window, per category. A supervisor reads their regency, a provincial key its "
    "province or one of its regencies.",
    query=QualityQuery,
    answers={200: (shapes.QualityView, "The figures of the window.")},
    problems=(401, 403, 404, 422, 503),
    texts={404: _NO_REGION, 403: "Supervisors, operators and auditors."},
)
@requires(*OVERSEERS)
def get_quality() -> ResponseReturnValue:
    """Per-category precision and recall of the proposals officers labelled in a window."""
    query = parse_query(QualityQuery)
    region = _visible_region(current_principal(), query.region_code)
    return jsonify(quality_json(region, region_quality(triage_deps(), region, query.days)))


@bp.post("/v1/triage/evaluations")
@operation(
    summary="What a candidate rules version would change on the cases officers labelled",
    description="Runs the rules in force and the candidate (the YAML text the configuration "
    "API takes) over every labelled case of the regency; answers the cases whose proposal "
    "changes and the accuracy before and after. Nothing is stored.",
    body=shapes.EvaluationBody,
    answers={200: (shapes.EvaluationView, "The evaluation.")},
    problems=(400, 401, 403, 404, 413, 415, 422, 503),
    texts={
        404: _NO_REGION,
        422: "Rules refused ('errors' names every problem), or a province where a regency "
        "is needed.",
    },
)
@requires(*MANAGERS)
def post_evaluation() -> ResponseReturnValue:
    """Evaluate a candidate rules version before activating it."""
    principal = current_principal()
    body = parse_body(shapes.EvaluationBody, detail="The evaluation needs correcting.")
    if body.region_code is None and principal.is_provincial:
        raise Problem(
            422,
            "A provincial key must name the regency whose cases to evaluate on.",
            errors=[{"field": "region_code", "message": "required", "code": "missing"}],
        )
    tenant = visible_regency(body.region_code or principal.region, principal)
    try:
        candidate = parse_rules_payload({"text": body.text})
    except ConfigInvalid as exc:
        raise Problem(
            422,
            "The candidate rules were refused; see 'errors' for every problem.",
            errors=[{**p.as_dict(), "code": "invalid"} for p in exc.problems],
        ) from exc
    deps = triage_deps()
    result = evaluate_candidate(deps, tenant, candidate)
    current = deps.config.current(tenant).version_record()
    return jsonify(evaluation_json(tenant, current, candidate.version, result))
