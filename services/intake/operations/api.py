"""What intake tells its operators: its pipeline (outbox and queues) and its parked messages.

Events intake's worker could not record on a case's timeline (a triage or notify event for a
case it cannot find, a malformed body) wait in ``pantau.intake.parking``; here an operator
sees them with the reason and puts one back in line once the cause is fixed.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from services.intake.bootstrap import SERVICE
from services.intake.operations.outboxes import outbox_collections
from shared import parked_api
from shared.auth import OPERATORS, current_principal, requires
from shared.openapi import operation, path_parameter
from shared.pipeline import PipelineState, pipeline_state
from shared.request_input import parse_query

bp = Blueprint("intake_operations", __name__)


@bp.get("/v1/pipeline")
@operation(
    summary="Intake's outbox backlog and every consuming queue's depth and consumers",
    description=(
        "Read live, each part within about two seconds: a part that does not answer in "
        "time is null, so the answer itself never waits long."
    ),
    answers={200: (PipelineState, "As read just now.")},
    problems=(401, 403),
)
@requires(*OPERATORS)
def pipeline() -> ResponseReturnValue:
    state = pipeline_state(SERVICE, current_app.config["PANTAU_SETTINGS"], outbox_collections())
    return jsonify(state.model_dump(mode="json"))


@bp.get("/v1/parked")
@operation(
    summary="Messages intake's worker parked, with the reason (nothing is removed)",
    query=parked_api.ParkedQuery,
    answers={200: (parked_api.ParkedEvents, "Oldest first, of the caller's area.")},
    problems=(401, 403, 422, 503),
)
@requires(*OPERATORS)
def list_parked() -> ResponseReturnValue:
    limit = parse_query(parked_api.ParkedQuery).limit
    return jsonify(parked_api.listing(SERVICE, current_principal(), limit))


@bp.post("/v1/parked/<ident>/replay")
@operation(
    summary="Put one parked message back in intake's queue",
    parameters=[path_parameter("ident", "A parked message's id.")],
    answers={200: (parked_api.ReplayedEvent, "Back in line, attempts counted afresh.")},
    problems=(401, 403, 404, 503),
    texts={404: "Nothing parked with this id in your area."},
)
@requires(*OPERATORS)
def replay_parked(ident: str) -> ResponseReturnValue:
    return jsonify(parked_api.replay(SERVICE, current_principal(), ident))
