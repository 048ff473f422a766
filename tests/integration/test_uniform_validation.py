"""Every list and every body of every service refuses the same mistakes in the same way: a
limit out of bounds or a cursor this server did not give out, a filter that cannot mean
anything, a control character in any text, a NIP for someone who cannot have one. Each is a
problem naming the field, and nothing is stored."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from services.cli.mailbox import MailSink
from services.intake.access.keys import create_key
from services.intake.access.models import AccessLogEntry
from services.intake.app import create_app as create_intake
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from services.intake.public.client import CLIENT_HEADER
from services.notify.app import create_app as create_notify
from shared.auth import Principal
from shared.settings import Settings
from tests.support.builders import case_payload

PAGING = [
    ("limit=-5", "limit", "greater_than_equal"),
    ("limit=0", "limit", "greater_than_equal"),
    ("limit=999999999999", "limit", "less_than_equal"),
    ("limit=five", "limit", "int_parsing"),
    ("cursor=zzz", "cursor", "cursor"),
]


@pytest.fixture
def intake(settings: Settings) -> FlaskClient:
    app = create_intake(settings=settings)
    ensure_indexes()
    return app.test_client()


def auth(role: str, region: str = "12.06") -> dict[str, str]:
    token = create_key(name=f"{role} {region}", region=region, role=role)[0]
    return {"Authorization": f"Bearer {token}"}


def refused(answer: TestResponse, status: int = 422) -> dict[str, str]:
    """The fields an answer refuses, with their codes (and that it is a problem at all)."""
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    return {e["field"]: e["code"] for e in answer.get_json()["errors"]}


# --- paging ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "field", "code"), PAGING)
@pytest.mark.parametrize(
    ("path", "role"),
    [("/v1/cases", "officer"), ("/v1/access-log", "auditor")],
)
def test_intake_lists_refuse_a_wrong_page_by_name(
    intake: FlaskClient, path: str, role: str, query: str, field: str, code: str
) -> None:
    assert refused(intake.get(f"{path}?{query}", headers=auth(role))) == {field: code}


@pytest.mark.parametrize(("query", "field", "code"), PAGING[:4])
def test_the_sign_in_log_refuses_a_wrong_limit_by_name(
    intake: FlaskClient, query: str, field: str, code: str
) -> None:
    answer = intake.get(f"/v1/sign-in-log?{query}", headers=auth("operator", "12"))
    assert refused(answer) == {field: code}


def test_a_cursor_of_another_list_is_refused_by_name(intake: FlaskClient) -> None:
    headers = auth("officer")
    for _ in range(3):
        intake.post("/v1/cases", json=case_payload(), headers=auth("submitter"))
    page = intake.get("/v1/cases?limit=1&sort=due", headers=headers).get_json()
    assert page["next_cursor"]
    other_order = intake.get(
        f"/v1/cases?sort=updated&cursor={page['next_cursor']}", headers=headers
    )
    assert refused(other_order) == {"cursor": "cursor"}
    other_list = intake.get(f"/v1/access-log?cursor={page['next_cursor']}", headers=auth("auditor"))
    assert refused(other_list) == {"cursor": "cursor"}


def test_the_access_log_pages_newest_first_without_skipping_or_repeating(
    intake: FlaskClient,
) -> None:
    # Written as a reveal writes it; several in the same millisecond, as a busy hour does.
    at = datetime(2024, 11, 20, 7, 0, tzinfo=UTC)
    for i in range(7):
        AccessLogEntry(
            at=at + timedelta(seconds=i // 3),
            tenant="12.06",
            case_id=f"case-{i}",
            action="reveal_reporter",
            actor_name="Supervisor Karo",
            actor_key="pk_sup",
            actor_role="supervisor",
            reason="klarifikasi",
        ).save()
    AccessLogEntry(
        tenant="17.71",
        case_id="elsewhere",
        action="reveal_reporter",
        actor_name="x",
        actor_key="pk_x",
        actor_role="supervisor",
        reason="x",
    ).save()
    headers, seen, cursor = auth("auditor"), [], ""
    while True:
        page = intake.get(f"/v1/access-log?limit=3{cursor}", headers=headers).get_json()
        seen += [item["case_id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert sorted(seen) == [f"case-{i}" for i in range(7)]
    assert seen[:1] in (["case-6"],)  # the newest first


def test_a_query_parameter_a_list_does_not_read_is_refused(intake: FlaskClient) -> None:
    answer = intake.get("/v1/access-log?offset=10", headers=auth("auditor"))
    assert refused(answer) == {"offset": "extra_forbidden"}


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("status=bogus", "status", "literal_error"),
        ("category=netralitas", "category", "literal_error"),
        ("source=twitter", "source", "literal_error"),
        ("unit=Humas", "unit", "literal_error"),
        ("priority=asap", "priority", "literal_error"),
        ("updated_since=-1", "updated_since", "datetime_format"),
        ("submitted_from=1700000000", "submitted_from", "datetime_format"),
        ("due_before=1969-12-31T23:59:59Z", "due_before", "datetime_range"),
        ("due_after=9999-01-01T00:00:00Z", "due_after", "datetime_range"),
        ("submitted_to=2024-11-20T10:00", "submitted_to", "timezone_aware"),
    ],
)
def test_a_case_filter_that_cannot_mean_anything_is_refused_by_name(
    intake: FlaskClient, query: str, field: str, code: str
) -> None:
    assert refused(intake.get(f"/v1/cases?{query}", headers=auth("officer"))) == {field: code}


@pytest.mark.parametrize(
    ("path", "field", "code"),
    [
        ("/v1/workload?due_before=-1", "due_before", "datetime_format"),
        ("/v1/statistics?from=-1", "from", "datetime_format"),
        ("/v1/statistics?to=3000-01-01T00:00:00Z", "to", "datetime_range"),
        ("/v1/statistics?category=bogus", "category", "literal_error"),
    ],
)
def test_the_other_filters_refuse_the_same_mistakes(
    intake: FlaskClient, path: str, field: str, code: str
) -> None:
    assert refused(intake.get(path, headers=auth("supervisor"))) == {field: code}


def test_known_values_still_filter(intake: FlaskClient) -> None:
    intake.post("/v1/cases", json=case_payload(source="internal"), headers=auth("submitter"))
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    found = intake.get(
        f"/v1/cases?status=received&source=internal&updated_since={since}",
        headers=auth("officer"),
    ).get_json()
    assert [c["source"] for c in found["items"]] == ["internal"]


# --- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "character"),
    [
        ({"title": "Foto pose dua jari\u202e"}, "title", "U+202E"),
        (
            {"description": "Unggahan\x00 di Facebook oleh staf dinas pendidikan."},
            "description",
            "U+0000",
        ),
        ({"location": {"text": "Kaban\u2067jahe"}}, "location.text", "U+2067"),
    ],
)
def test_a_control_character_in_a_submission_is_refused_and_nothing_is_stored(
    intake: FlaskClient, change: dict[str, Any], field: str, character: str
) -> None:
    answer = intake.post("/v1/cases", json=case_payload(**change), headers=auth("submitter"))
    assert refused(answer) == {field: "control_character"}
    assert (
        answer.get_json()["errors"][0]["message"] == f"contains a control character ({character})"
    )
    assert Case._get_collection().count_documents({}) == 0


def test_a_control_character_in_an_accused_name_is_named_on_that_accused(
    intake: FlaskClient,
) -> None:
    second = {"name": "Bonar\x1b[2J Sitepu", "employment_type": "PPPK"}
    payload = case_payload()
    payload["accused"] = [*payload["accused"], second]
    answer = intake.post("/v1/cases", json=payload, headers=auth("submitter"))
    assert refused(answer) == {"accused[1].name": "control_character"}


def test_a_string_shorter_than_its_minimum_says_how_long(intake: FlaskClient) -> None:
    public = {"Authorization": "Bearer " + create_key(name="p", region="12", role="public")[0]}
    answer = _public(intake, public, _report(description="Terlalu singkat"))
    errors = {e["field"]: e["message"] for e in answer.get_json()["errors"]}
    assert errors == {"description": "must be at least 20 characters"}


# --- NIP of non-ASN staff -----------------------------------------------------------------------


def test_a_nip_for_a_non_asn_accused_is_refused_on_that_accused(intake: FlaskClient) -> None:
    payload = case_payload()
    honorer = {"name": "Dedi", "employment_type": "NON_ASN", "nip": "198503122023212005"}
    payload["accused"] = [*payload["accused"], honorer]
    answer = intake.post("/v1/cases", json=payload, headers=auth("submitter"))
    assert refused(answer) == {"accused[1].nip": "nip_not_asn"}
    assert Case._get_collection().count_documents({}) == 0


def _report(**overrides: Any) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    body: dict[str, Any] = {
        "region_code": "12.06",
        "description": "Honorer kantor camat membagikan stiker paslon kepada warga di pasar.",
        "occurred_on": (today - timedelta(days=2)).isoformat(),
        "known_on": (today - timedelta(days=1)).isoformat(),
        "location": {"text": "Pasar Kabanjahe"},
        "people": [{"name": "Dedi", "employment_type": "NON_ASN"}],
        "reporter": {"anonymous": True},
    }
    body.update(overrides)
    return body


CITIZEN = "6deb4e8ddeeea83e66d869dd93f9ecb8"  # a citizen's stand-in, as the console names it


def _public(client: FlaskClient, headers: dict[str, str], body: dict[str, Any]) -> TestResponse:
    return client.post(
        "/v1/public/reports",
        data={"report": json.dumps(body)},
        headers={**headers, CLIENT_HEADER: CITIZEN, "Idempotency-Key": uuid.uuid4().hex},
        content_type="multipart/form-data",
    )


def test_the_public_report_refuses_a_nip_for_non_asn_and_control_characters(
    intake: FlaskClient,
) -> None:
    public = {"Authorization": "Bearer " + create_key(name="p", region="12", role="public")[0]}
    with_nip = _report(people=[{"name": "Dedi", "employment_type": "NON_ASN", "nip": "1" * 18}])
    assert refused(_public(intake, public, with_nip)) == {"people[0].nip": "nip_not_asn"}
    bidi = _report(location={"text": "Pasar \u202eKabanjahe"})
    assert refused(_public(intake, public, bidi)) == {"location.text": "control_character"}
    assert Case._get_collection().count_documents({}) == 0
    # Unknown status: only the shape of the number can be checked, and it is kept.
    unknown = _report(people=[{"name": "Dedi", "nip": "19850312 2023 21 2 005"}])
    assert _public(intake, public, unknown).status_code == 201


# --- notify ------------------------------------------------------------------------------------


@pytest.fixture
def notify(settings: Settings, mail_sink: MailSink) -> FlaskClient:
    operator = Principal("pk_op", "Operator Sumut", "12", "operator")
    who = {"operator": operator}
    configured = settings.model_copy(update={"smtp_port": mail_sink.port})
    app: Flask = create_notify({"TESTING": True, "PANTAU_AUTHENTICATE": who.get}, configured)
    return app.test_client()


@pytest.mark.parametrize(
    ("query", "field", "code"), [*PAGING[:4], ("cursor=zzz", "cursor", "extra_forbidden")]
)
def test_notify_s_parked_list_refuses_a_wrong_page_by_name(
    notify: FlaskClient, query: str, field: str, code: str
) -> None:
    answer = notify.get(f"/v1/parked?{query}", headers={"Authorization": "Bearer operator"})
    assert refused(answer) == {field: code}


def test_notify_refuses_a_control_character_in_a_body(notify: FlaskClient) -> None:
    answer = notify.post(
        "/v1/test-send",
        json={"officer_id": "karo-bkpsdm-1\u202e", "channel": "email"},
        headers={"Authorization": "Bearer operator"},
    )
    assert refused(answer) == {"officer_id": "control_character"}
