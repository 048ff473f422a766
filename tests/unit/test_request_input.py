"""One way to read a request: the JSON body or the query string through a pydantic model, and
one format for the fields a client got wrong."""

from __future__ import annotations

import json
from typing import Literal

import pytest
from flask import Flask
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.field_errors import field_errors, field_path
from shared.problems import Problem
from shared.request_input import MAX_DEPTH, json_body, parse_body, parse_query, too_deep
from shared.settings import Settings
from shared.web import create_base_app


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nip: str = Field(min_length=18)


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    accused: list[Person]
    channels: dict[Literal["email", "sms"], int] = {}


class Filters(BaseModel):
    category: list[Literal["HOAKS", "MEDSOS"]] = []
    days: int = Field(default=30, ge=1)


@pytest.fixture
def app() -> Flask:
    app = create_base_app("intake", Settings(), readiness={})

    @app.post("/reports")
    def report() -> dict[str, object]:
        return parse_body(Report, max_bytes=256).model_dump()

    @app.get("/reports")
    def reports() -> dict[str, object]:
        return parse_query(Filters).model_dump()

    @app.get("/counted")
    def counted() -> dict[str, object]:
        return parse_query(Filters, detail="days is a number.", status=400).model_dump()

    return app


def test_a_valid_body_is_the_model(app: Flask) -> None:
    answer = app.test_client().post("/reports", json={"title": "x", "accused": [{"nip": "1" * 18}]})
    assert answer.status_code == 200
    assert answer.get_json()["accused"] == [{"nip": "1" * 18}]


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "{", "content_type": "application/json"}, 400),
        ({"data": b"\xff", "content_type": "application/json"}, 400),
        ({"data": "", "content_type": "application/json"}, 400),
        ({"data": "title=x", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"json": {"title": "x" * 300, "accused": []}}, 413),
    ],
)
def test_a_body_that_cannot_be_read_is_refused_before_validation(
    app: Flask, kwargs: dict[str, object], status: int
) -> None:
    answer = app.test_client().post("/reports", **kwargs)
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"


def test_wrong_fields_are_named_in_the_one_format(app: Flask) -> None:
    answer = app.test_client().post(
        "/reports",
        json={"accused": [{"nip": "1" * 18}, {"nip": "1"}], "channels": {"fax": 1}, "x": 1},
    )
    assert answer.status_code == 422
    errors = {e["field"]: e for e in answer.get_json()["errors"]}
    assert set(errors) == {"title", "accused[1].nip", "channels.fax", "x"}
    assert errors["title"]["message"] == "this field is required"
    assert errors["x"]["message"] == "field not allowed"
    assert errors["accused[1].nip"]["code"] == "string_too_short"


def test_a_body_that_is_not_an_object_is_the_whole_body_s_error(app: Flask) -> None:
    answer = app.test_client().post("/reports", json=[1])
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == [
        {"field": "", "message": "must be an object", "code": "model_type"}
    ]


def test_a_repeated_query_parameter_is_a_list_where_the_model_wants_one(app: Flask) -> None:
    answer = app.test_client().get("/reports?category=HOAKS&category=MEDSOS&days=7&days=9")
    assert answer.status_code == 200
    assert answer.get_json() == {"category": ["HOAKS", "MEDSOS"], "days": 7}


def test_wrong_query_parameters_are_refused_with_the_status_asked(app: Flask) -> None:
    client = app.test_client()
    refused = client.get("/reports?category=NOPE&days=0")
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"category[0]", "days"}
    counted = client.get("/counted?days=many")
    assert counted.status_code == 400
    assert counted.get_json()["detail"] == "days is a number."


def test_field_paths() -> None:
    assert field_path(("accused", 0, "nip")) == "accused[0].nip"
    assert field_path(()) == ""
    assert field_path(("channels", "pager", "[key]")) == "channels.pager"


def test_errors_never_repeat_the_input() -> None:
    with pytest.raises(ValidationError) as caught:
        Report.model_validate({"title": "Siti", "accused": "0812 6000 1234"})
    assert field_errors(caught.value) == [
        {"field": "accused", "message": "must be a list", "code": "list_type"}
    ]


@pytest.mark.parametrize("depth", [40, 100_000])
def test_a_body_nested_deeper_than_any_request_needs_is_a_400_not_a_crash(depth: int) -> None:
    body = "[" * depth + "]" * depth
    app = Flask(__name__)
    context = app.test_request_context(
        "/", method="POST", data=body, content_type="application/json"
    )
    with context, pytest.raises(Problem) as refused:
        json_body()
    assert refused.value.status == 400
    assert "levels deep" in refused.value.detail


def test_a_body_as_deep_as_the_limit_is_read() -> None:
    body = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    app = Flask(__name__)
    with app.test_request_context("/", method="POST", data=body, content_type="application/json"):
        assert too_deep(json_body(), MAX_DEPTH) is False


def test_a_string_shorter_than_its_minimum_says_how_long_it_must_be(app: Flask) -> None:
    answer = app.test_client().post("/reports", json={"title": "", "accused": [{"nip": "1"}]})
    errors = {e["field"]: e["message"] for e in answer.get_json()["errors"]}
    assert errors["accused[0].nip"] == "must be at least 18 characters"


def test_an_empty_string_where_one_character_is_enough_says_it_must_not_be_empty() -> None:
    class Named(BaseModel):
        name: str = Field(min_length=1)

    with pytest.raises(ValidationError) as caught:
        Named.model_validate({"name": ""})
    assert field_errors(caught.value)[0]["message"] == "must not be empty"


def test_numbers_out_of_bounds_say_the_bound(app: Flask) -> None:
    client = app.test_client()
    low = client.get("/reports?days=0").get_json()["errors"]
    assert low == [{"field": "days", "message": "must be at least 1", "code": "greater_than_equal"}]
    word = client.get("/reports?days=many").get_json()["errors"]
    assert word == [{"field": "days", "message": "must be a whole number", "code": "int_parsing"}]


@pytest.mark.parametrize(
    ("text", "character"),
    [("Bupati\u202egnp.exe", "U+202E"), ("Siti\x00", "U+0000"), ("a\u2066b", "U+2066")],
)
def test_a_control_character_in_any_string_of_a_body_is_refused_with_its_field(
    app: Flask, text: str, character: str
) -> None:
    body = {"title": "ok", "accused": [{"nip": "1" * 18}, {"nip": text}]}
    answer = app.test_client().post("/reports", json=body)
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == [
        {
            "field": "accused[1].nip",
            "message": f"contains a control character ({character})",
            "code": "control_character",
        }
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize("escape", [True, False])
def test_the_text_check_never_lets_a_control_character_through(
    app: Flask, encoding: str, escape: bool
) -> None:
    """The walk over every string runs only when the body's text may hold one; a body in
    another encoding the JSON parser reads, or with the character escaped, is still walked."""
    text = json.dumps(
        {"title": "ok", "accused": [{"nip": "Siti\u202e"}]}, ensure_ascii=escape
    ).encode(encoding)
    answer = app.test_client().post("/reports", data=text, content_type="application/json")
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == "accused[0].nip"


def test_tabs_and_line_breaks_are_text_not_control_characters(app: Flask) -> None:
    body = {"title": "baris satu\r\nbaris\tdua", "accused": [{"nip": "1" * 18}]}
    assert app.test_client().post("/reports", json=body).status_code == 200


def test_a_control_character_in_a_query_parameter_is_refused_with_its_name(app: Flask) -> None:
    answer = app.test_client().get("/reports?days=7%1B&category=HOAKS%E2%80%AE")
    assert answer.status_code == 422
    assert {(e["field"], e["code"]) for e in answer.get_json()["errors"]} == {
        ("days", "control_character"),
        ("category[0]", "control_character"),
    }
