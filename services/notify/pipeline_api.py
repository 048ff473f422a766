"""What notify tells its operators about its pipeline: its outbox and the broker's queues.
(Its parked messages and digests are in ``api``.)"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from services.notify.bootstrap import SERVICE
from services.notify.outboxes import outbox_collections
from shared.auth import OPERATORS, requires
from shared.openapi import operation
from shared.pipeline import PipelineState, pipeline_state

bp = Blueprint("notify_pipeline", __name__)


@bp.get("/v1/pipeline")
@operation(
    summary="Notify's outbox backlog and every consuming queue's depth and consumers",
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
