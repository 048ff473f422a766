"""Hostile text in every free-text field of a submission is stored and returned exactly as given,
never evaluated: not as a spreadsheet formula, a template, HTML or a response header.

Intake strips leading and trailing whitespace of text fields (a documented normalisation), so
the CR/LF payload carries text on both sides to keep the line break inside the value.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from services.intake.cases.schemas import MAX_DESCRIPTION, MAX_TITLE
from services.notify.rendering import render
from shared.contracts import CaseAssigned, Recipient
from shared.settings import Settings
from tests.security.support import auth, key
from tests.support.builders import case_payload

PAYLOADS = [
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "{{7*7}}",
    "{% raw %}{{ config }}{% endraw %}",
    "${7*7}",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "baris satu\r\nX-Injected: 1",
    '{"$gt": ""}',
    "'; db.cases.drop(); '",
]


def submission_with(value: str) -> dict[str, Any]:
    """A valid case with ``value`` in every free-text field."""
    return case_payload(
        title=value,
        description=f"{value} — keterangan",
        location={"text": value, "district": value, "village": value},
        accused=[
            {
                "name": value,
                "employment_type": "PNS",
                "agency": value,
                "position": value,
            }
        ],
        witnesses=[{"name": value, "statement": value}],
    )


def text_fields(case: dict[str, Any]) -> list[str]:
    accused, witness = case["accused"][0], case["witnesses"][0]
    return [
        case["title"],
        case["location"]["text"],
        case["location"]["district"],
        case["location"]["village"],
        accused["name"],
        accused["agency"],
        accused["position"],
        witness["name"],
        witness["statement"],
    ]


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize("value", PAYLOADS)
def test_hostile_text_is_stored_and_returned_as_given(client: FlaskClient, value: str) -> None:
    token = key()
    created = client.post("/v1/cases", json=submission_with(value), headers=auth(token))
    assert created.status_code == 201, created.get_json()
    # Nothing of the body becomes a header of the answer.
    assert "X-Injected" not in created.headers
    assert all("\n" not in v and "\r" not in v for _, v in created.headers.items())
    read = client.get(created.headers["Location"], headers=auth(key(role="officer")))
    assert read.status_code == 200
    assert "X-Injected" not in read.headers
    case = read.get_json()
    assert text_fields(case) == [value] * 9
    assert case["description"] == f"{value} — keterangan"
    # Exact equality above is the proof nothing was evaluated ({{7*7}} stayed, no 49).


@pytest.mark.parametrize(
    ("value", "character"),
    [
        ("sebelum\x00sesudah", "U+0000"),
        ("lonceng\x07", "U+0007"),
        ("escape\x1b[31mmerah", "U+001B"),
        ("Bonar Sitepu\u202e100 150 5102 6290681", "U+202E"),
        ("awal\u2066isolasi\u2069", "U+2066"),
    ],
)
def test_control_and_bidirectional_characters_are_refused_in_every_field(
    client: FlaskClient, value: str, character: str
) -> None:
    """A NUL or a right-to-left override makes a stored name or statement read otherwise
    than it was written (in the console, a CSV export, an alert): refused field by field
    with the character named, never stored, never silently cut or stripped."""
    answer = client.post("/v1/cases", json=submission_with(value), headers=auth(key()))
    assert answer.status_code == 422, answer.get_json()
    errors = answer.get_json()["errors"]
    assert {e["field"] for e in errors} == {
        "title",
        "description",
        "location.text",
        "location.district",
        "location.village",
        "accused[0].name",
        "accused[0].agency",
        "accused[0].position",
        "witnesses[0].name",
        "witnesses[0].statement",
    }
    assert {e["message"] for e in errors} == {f"contains a control character ({character})"}
    assert Case._get_collection().count_documents({}) == 0


def test_very_long_text_is_refused_with_the_field_and_limit(client: FlaskClient) -> None:
    answer = client.post(
        "/v1/cases",
        json=case_payload(title="A" * (MAX_TITLE + 1), description="B" * (MAX_DESCRIPTION + 1)),
        headers=auth(key()),
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.get_json()["errors"]}
    assert {"title", "description"} <= fields
    # Echoing the huge values back would amplify the request; the answer stays small.
    assert len(answer.data) < 4096
    at_limit = client.post(
        "/v1/cases", json=case_payload(title="=" * MAX_TITLE), headers=auth(key())
    )
    assert at_limit.status_code == 201


class Reader:
    """A recipient as the renderer reads it."""

    name = "Joni Sitepu"
    language = "id"
    timezone = "Asia/Jakarta"


@pytest.mark.parametrize("language", ["id", "en"])
def test_alert_templates_do_not_evaluate_or_inject_case_text(language: str) -> None:
    title = '{{7*7}} <script>alert(1)</script> =HYPERLINK("http://x") baris\r\nBcc: x@y.z'
    event = CaseAssigned(
        case_id="6b0000000000000000000001",
        decision_id="d1",
        tracking_code="K7QM-3XPA-9D2F-HT6W",
        title=title,
        category="MEDSOS",
        priority="high",
        due_at=datetime(2024, 11, 29, 16, 59, tzinfo=UTC),
        unit="BKPSDM <b>Karo</b>",
        assignee=Recipient(
            officer_id="karo-bkpsdm-1",
            name="Joni <i>Sitepu</i>",
            email="joni@karo.example",
            timezone="Asia/Jakarta",
            language=language,  # type: ignore[arg-type]
        ),
    )
    reader = Reader()
    reader.language = language
    rendered = render(event, reader, case_url="https://pantau.example/v1/cases/6b00")
    for part in (rendered.subject, rendered.text, rendered.html, rendered.sms):
        assert "49" not in part  # the title's template syntax was not run
    assert "{{7*7}}" in rendered.text
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    # The subject becomes a mail header: one line, whatever the title carried.
    assert "\n" not in rendered.subject
    assert "\r" not in rendered.subject
