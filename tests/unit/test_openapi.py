"""The one OpenAPI mechanism: operations described on their views, the document built from the
app's routes, and a route nobody described reported instead of left out."""

from __future__ import annotations

from typing import Literal

import pytest
from flask import Blueprint, Flask
from pydantic import BaseModel, Field

from shared.openapi import (
    FRAME_ROUTES,
    UndocumentedRoutes,
    build,
    openapi_path,
    operation,
    path_parameter,
    serve,
)
from shared.settings import Settings
from shared.web import create_base_app


class Thing(BaseModel):
    name: str


class Part(BaseModel):
    size: int


class Wrapper(BaseModel):
    part: Part


class NewThing(BaseModel):
    name: str = Field(min_length=1)


class ThingQuery(BaseModel):
    colour: Literal["red", "blue"] | None = Field(default=None, description="Only this colour")
    limit: int = Field(default=10, ge=1)
    since: str


def _described_app() -> Flask:
    bp = Blueprint("things", __name__)

    @bp.get("/v1/things/<thing_id>")
    @operation(summary="One thing", answers={200: (Thing, "The thing.")}, problems=(404,))
    def one(thing_id: str) -> dict[str, str]:
        return {"name": thing_id}

    @bp.post("/v1/things")
    @operation(
        summary="Add a thing",
        body=NewThing,
        query=ThingQuery,
        answers={201: (Wrapper, "Added.")},
        problems=(400, 422),
        texts={422: "Name it."},
    )
    def add() -> dict[str, str]:
        return {}

    @bp.get("/v1/kinds/<any(big, small):kind>/<int:n>")
    @operation(
        summary="A kind",
        parameters=[path_parameter("kind", "Which kind.", enum=["big", "small"])],
        answers={200: (Thing, "The kind.")},
        public=True,
    )
    def kind(kind: str, n: int) -> dict[str, str]:
        return {}

    app = create_base_app("intake", Settings(), readiness={})
    app.register_blueprint(bp)
    serve(app, title="Things", description="Things and kinds.")
    return app


def test_flask_rules_become_openapi_paths_with_their_parameters() -> None:
    path, parameters = openapi_path("/v1/regions/<code>/<any(rules, routing):kind>/<int:n>")
    assert path == "/v1/regions/{code}/{kind}/{n}"
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
        ("code", "path", True),
        ("kind", "path", True),
        ("n", "path", True),
    ]
    assert [p["schema"] for p in parameters] == [
        {"type": "string"},
        {"type": "string", "enum": ["rules", "routing"]},
        {"type": "integer"},
    ]


def test_the_document_is_built_from_the_descriptions_on_the_views() -> None:
    doc = build(_described_app(), title="Things", description="Things and kinds.")
    assert set(doc["paths"]) == {"/v1/things/{thing_id}", "/v1/things", "/v1/kinds/{kind}/{n}"}
    assert not FRAME_ROUTES & set(doc["paths"])

    one = doc["paths"]["/v1/things/{thing_id}"]["get"]
    assert one["parameters"] == [
        {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert one["security"] == [{"bearerKey": []}]
    # A key can be refused and the database be down on every operation that needs a key.
    assert sorted(one["responses"]) == ["200", "401", "404", "503"]
    schema = one["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Thing"}

    add = doc["paths"]["/v1/things"]["post"]
    assert add["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewThing"
    }
    query = {p["name"]: p for p in add["parameters"]}
    assert {name: p["required"] for name, p in query.items()} == {
        "colour": False,
        "limit": False,
        "since": True,
    }
    assert query["colour"]["description"] == "Only this colour"
    # A query parameter is text or absent, never null.
    assert query["colour"]["schema"]["enum"] == ["red", "blue"]
    assert "anyOf" not in query["colour"]["schema"]
    assert add["responses"]["422"]["description"] == "Name it."
    assert "application/problem+json" in add["responses"]["400"]["content"]

    kind = doc["paths"]["/v1/kinds/{kind}/{n}"]["get"]
    assert "security" not in kind
    assert [p["name"] for p in kind["parameters"]] == ["kind", "n"]
    assert kind["parameters"][0]["description"] == "Which kind."
    assert sorted(kind["responses"]) == ["200"]

    # The models named, what they use, and the problem details every error has.
    assert {"Thing", "NewThing", "Wrapper", "Part", "ProblemDetails"} <= set(
        doc["components"]["schemas"]
    )


def test_a_route_without_a_description_is_reported() -> None:
    app = _described_app()

    @app.delete("/v1/things/<thing_id>")
    def forgotten(thing_id: str) -> dict[str, str]:
        return {}

    with pytest.raises(UndocumentedRoutes) as caught:
        build(app, title="Things", description="Things and kinds.")
    # The frame's own routes (probes, metrics, the document) need no description.
    assert caught.value.routes == ["DELETE /v1/things/<thing_id>"]


def test_a_path_parameter_the_route_lacks_is_an_error() -> None:
    app = Flask("stray")

    @app.get("/v1/things")
    @operation(
        summary="Things",
        parameters=[path_parameter("thing_id", "Not in the route.")],
        answers={200: (Thing, "Things.")},
    )
    def things() -> dict[str, str]:
        return {}

    with pytest.raises(ValueError, match="thing_id"):
        build(app, title="Things", description="Things.")


def test_the_app_serves_its_document() -> None:
    answer = _described_app().test_client().get("/openapi.json")
    assert answer.status_code == 200
    assert answer.get_json()["info"]["title"] == "Things"
    assert "/v1/things" in answer.get_json()["paths"]
