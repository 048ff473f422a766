"""Ceilings for intake's ``POST /v1/cases`` under the same gunicorn settings.

``create_durable_app``: the floor of any durable accept on this stack. It parses the JSON, then
stores the document intake's own insert wrote (a case as it was inserted, its outbox entry
included, read from ``PANTAU_BENCH_DOCUMENT``) with one journaled, majority insert into a
collection with the same indexes as intake's cases, and nothing else: no authentication,
validation, rate limit or relay.

``create_naive_app``: the design without an outbox. It stores the case without the outbox
fields, then publishes the case's event (the same bytes intake's relay publishes) to RabbitMQ
and waits for the broker's confirm inside the request.
"""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any

import pika
from bson import json_util
from flask import Flask, request
from flask.typing import ResponseReturnValue
from pymongo import MongoClient, WriteConcern

from shared import outbox

DATABASE = "bench_floor"
COLLECTION = "cases"
QUEUE = "bench.naive"


def _template() -> dict[str, Any]:
    with open(os.environ["PANTAU_BENCH_DOCUMENT"]) as f:
        doc: dict[str, Any] = json_util.loads(f.read())
    doc.pop("_id", None)
    return doc


def _without_outbox(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in outbox.FIELDS}


def _durable(name: str, template: dict[str, Any], after_insert: Any = None) -> Flask:
    app = Flask(name)
    # One client per worker process, built after gunicorn's fork (the app is not preloaded).
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["PANTAU_MONGO_URL"])
    cases = client[DATABASE].get_collection(
        COLLECTION, write_concern=WriteConcern(w="majority", j=True)
    )

    @app.post("/v1/cases")
    def accept() -> ResponseReturnValue:
        payload = request.get_json(force=True)
        doc = dict(template)
        doc["title"] = payload.get("title", doc.get("title"))
        doc["description"] = payload.get("description", doc.get("description"))
        # The unique keys must differ per case, as intake's do.
        doc["tracking_code"] = uuid.uuid4().hex
        if isinstance(doc.get("source_ref"), str):
            doc["source_ref"] = uuid.uuid4().hex
        cases.insert_one(doc)
        if after_insert is not None:
            after_insert(doc)
        return {"tracking_code": doc["tracking_code"]}, 201

    return app


def create_durable_app() -> Flask:
    return _durable("durable-floor", _template())


def create_naive_app() -> Flask:
    local = threading.local()
    url = os.environ["PANTAU_AMQP_URL"]

    def channel() -> Any:
        # pika's blocking connection is not thread-safe: one per gunicorn thread.
        ch = getattr(local, "channel", None)
        if ch is None:
            connection = pika.BlockingConnection(pika.URLParameters(url))
            ch = connection.channel()
            ch.queue_declare(QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
            ch.confirm_delivery()
            local.channel = ch
        return ch

    props = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    template = _template()
    # The event intake's relay publishes for this case, as it publishes it.
    event = template["outbox"][0]["body"].encode()

    def publish(_doc: dict[str, Any]) -> None:
        channel().basic_publish("", QUEUE, event, properties=props)

    return _durable("naive-publish", _without_outbox(template), after_insert=publish)
