"""What a service tells its operators over HTTP: its pipeline (outbox backlog, the queues'
depths and consumers) and, where its worker parks messages, those messages and their
replay. One blueprint for every service, so the answers are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from pymongo.collection import Collection

from shared import parked_api
from shared.auth import OPERATORS, current_principal, requires
from shared.openapi import operation, path_parameter
from shared.pipeline import PipelineState, pipeline_state
from shared.request_input import parse_query

Outboxes = Callable[[], Sequence[Collection[dict[str, Any]]]]


def operations_blueprint(service: str, outboxes: Outboxes, *, parked: bool = True) -> Blueprint:
    """``GET /v1/pipeline`` and, with ``parked``, ``GET /v1/parked`` and
    ``POST /v1/parked/{ident}/replay`` for ``service`` (whose outbox collections
    ``outboxes`` names)."""
    bp = Blueprint(f"{service}_operations", __name__)
    name = service.capitalize()

    @bp.get("/v1/pipeline")
    @operation(
        summary=f"{name}'s outbox backlog and every consuming queue's depth and consumers",
        description=(
            "Read live, each part within about two seconds: a part that does not answer in "
            "time is null, so the answer itself never waits long."
        ),
        answers={200: (PipelineState, "As read just now.")},
        problems=(401, 403),
    )
    @requires(*OPERATORS)
    def pipeline() -> ResponseReturnValue:
        state = pipeline_state(service, current_app.config["PANTAU_SETTINGS"], outboxes())
        return jsonify(state.model_dump(mode="json"))

    if not parked:
        return bp

    @bp.get("/v1/parked")
    @operation(
        summary=f"Messages {service}'s worker parked, with the reason (nothing is removed)",
        query=parked_api.ParkedQuery,
        answers={200: (parked_api.ParkedEvents, "Oldest first, of the caller's area.")},
        problems=(401, 403, 422, 503),
    )
    @requires(*OPERATORS)
    def list_parked() -> ResponseReturnValue:
        limit = parse_query(parked_api.ParkedQuery).limit
        return jsonify(parked_api.listing(service, current_principal(), limit))

    @bp.post("/v1/parked/<ident>/replay")
    @operation(
        summary=f"Put one parked message back in {service}'s queue",
        parameters=[path_parameter("ident", "A parked message's id.")],
        answers={200: (parked_api.ReplayedEvent, "Back in line, attempts counted afresh.")},
        problems=(401, 403, 404, 503),
        texts={404: "Nothing parked with this id in your area."},
    )
    @requires(*OPERATORS)
    def replay_parked(ident: str) -> ResponseReturnValue:
        return jsonify(parked_api.replay(service, current_principal(), ident))

    return bp
