"""Statistics on the real MongoDB: exact counts and durations on a known data set, the
provincial view with its per-regency rows, and nothing personal in the answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.intake.access.keys import create_key
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from services.intake.cases.schemas import validate_submission
from services.intake.cases.submission import register_case
from services.intake.exports.runner import vault_from
from shared.auth import Principal
from shared.regions import timezone_for
from shared.settings import Settings
from tests.support.builders import case_payload

H = timedelta(hours=1)


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _auth(region: str, role: str = "supervisor") -> dict[str, str]:
    token = create_key(name=f"{role} {region}", region=region, role=role)[0]
    return {"Authorization": f"Bearer {token}"}


def _register(settings: Settings, tenant: str, submitted: datetime, **payload: Any) -> Any:
    body = case_payload(
        occurred_at=(submitted - 48 * H).isoformat(),
        known_at=(submitted - 24 * H).isoformat(),
        **payload,
    )
    sub = validate_submission(body, now=submitted, tz=timezone_for(tenant))
    registered = register_case(
        sub,
        tenant=tenant,
        principal=Principal("test0001", f"Diskominfo {tenant}", tenant, "submitter"),
        now=submitted,
        correlation_id="stats-test",
        vault=vault_from(settings),
    )
    return registered.case["_id"]


def _handle(
    case_id: Any,
    *,
    status: str,
    category: str | None = None,
    first_action: timedelta | None = None,
    closed: timedelta | None = None,
    due: timedelta | None = None,
) -> None:
    cases = Case._get_collection()
    submitted = cases.find_one({"_id": case_id})["submitted_at"]
    fields: dict[str, Any] = {"status": status}
    if category:
        fields["triage.category"] = category
        fields["triage.priority"] = "high"
        fields["triage.assignee"] = {"officer_id": "karo-insp-01", "name": "Budi Sembiring"}
    if due is not None:
        fields["triage.due_at"] = submitted + due
    if first_action is not None:
        fields["first_action_at"] = submitted + first_action
    if closed is not None:
        fields["closed_at"] = submitted + closed
    cases.update_one({"_id": case_id}, {"$set": fields})


@pytest.fixture
def data_set(app: Flask, settings: Settings) -> None:
    """Four cases of Karo (12.06), two of Deli Serdang (12.07), in known states."""
    october = datetime(2024, 10, 5, 1, 0, tzinfo=UTC)
    a = _register(
        settings,
        "12.06",
        october,
        reporter={"name": "Siti Rahmawati", "phone": "081260001234", "anonymous": False},
    )
    _handle(a, status="closed", category="MEDSOS", first_action=2 * H, closed=48 * H, due=72 * H)
    b = _register(settings, "12.06", datetime(2024, 10, 20, 2, 0, tzinfo=UTC))
    _handle(
        b,
        status="sanction_imposed",
        category="MEDSOS",
        first_action=4 * H,
        closed=120 * H,
        due=72 * H,
    )
    c = _register(settings, "12.06", datetime(2024, 11, 2, 3, 0, tzinfo=UTC))
    _handle(c, status="under_examination", category="HOAKS", first_action=6 * H, due=72 * H)
    _register(settings, "12.06", datetime(2024, 11, 3, 4, 0, tzinfo=UTC))  # not triaged yet
    e = _register(settings, "12.07", datetime(2024, 11, 10, 5, 0, tzinfo=UTC))
    _handle(e, status="rejected", category="HOAKS", first_action=1 * H, closed=10 * H, due=72 * H)
    # 20:00 UTC on 30 November is 03:00 on 1 December in Medan (WIB).
    f = _register(settings, "12.07", datetime(2024, 11, 30, 20, 0, tzinfo=UTC))
    _handle(f, status="verified", category="MEDSOS", due=72 * H)


def test_a_regency_gets_exact_counts_and_durations(client: FlaskClient, data_set: None) -> None:
    answer = client.get("/v1/statistics", headers=_auth("12.06"))
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["region_code"] == "12.06"
    assert body["total"] == 4
    assert body["by_category"] == {"HOAKS": 1, "MEDSOS": 2, "unclassified": 1}
    assert body["by_status"] == {
        "closed": 1,
        "received": 1,
        "sanction_imposed": 1,
        "under_examination": 1,
    }
    assert body["by_regency"] == {"12.06": 4}
    assert body["by_month"] == {"2024-10": 2, "2024-11": 2}
    assert body["time_to_first_action"] == {"count": 3, "mean_hours": 4.0, "median_hours": 4.0}
    assert body["time_to_close"] == {"count": 2, "mean_hours": 84.0, "median_hours": 84.0}
    assert body["closed_within_deadline"] == {
        "closed_with_deadline": 2,
        "within_deadline": 1,
        "share": 0.5,
    }
    assert body["regencies"] is None


def test_a_province_gets_the_aggregate_and_one_row_per_regency(
    client: FlaskClient, data_set: None
) -> None:
    body = client.get("/v1/statistics", headers=_auth("12", "operator")).get_json()
    assert body["region_code"] == "12"
    assert body["total"] == 6
    assert body["by_regency"] == {"12.06": 4, "12.07": 2}
    assert body["by_month"] == {"2024-10": 2, "2024-11": 3, "2024-12": 1}
    assert body["time_to_first_action"] == {"count": 4, "mean_hours": 3.25, "median_hours": 3.0}
    assert body["time_to_close"] == {"count": 3, "mean_hours": 59.33, "median_hours": 48.0}
    assert body["closed_within_deadline"] == {
        "closed_with_deadline": 3,
        "within_deadline": 2,
        "share": 0.6667,
    }
    rows = {row["region_code"]: row for row in body["regencies"]}
    assert set(rows) == {"12.06", "12.07"}
    assert rows["12.06"]["total"] == 4
    assert rows["12.06"]["time_to_close"]["median_hours"] == 84.0
    assert rows["12.07"] == {
        "region_code": "12.07",
        "total": 2,
        "by_status": {"rejected": 1, "verified": 1},
        "time_to_first_action": {"count": 1, "mean_hours": 1.0, "median_hours": 1.0},
        "time_to_close": {"count": 1, "mean_hours": 10.0, "median_hours": 10.0},
        "closed_within_deadline": {"closed_with_deadline": 1, "within_deadline": 1, "share": 1.0},
    }


def test_period_and_region_narrow_the_figures(client: FlaskClient, data_set: None) -> None:
    karo = client.get(
        "/v1/statistics?from=2024-11-01T00:00:00%2B07:00", headers=_auth("12.06", "auditor")
    ).get_json()
    assert karo["total"] == 2
    assert karo["period"] == {"from": "2024-11-01T00:00:00+07:00", "to": None}
    deli = client.get("/v1/statistics?region_code=12.07", headers=_auth("12")).get_json()
    assert (deli["region_code"], deli["total"], deli["regencies"]) == ("12.07", 2, None)


def test_no_personal_data_in_the_answer(client: FlaskClient, data_set: None) -> None:
    text = json.dumps(client.get("/v1/statistics", headers=_auth("12")).get_json())
    for personal in ("Siti", "Rahmawati", "0812", "Rudi Ginting", "Budi", "karo-insp", "ASN "):
        assert personal not in text
    for doc in Case._get_collection().find({}, {"tracking_code": 1}):
        assert doc["tracking_code"] not in text
        assert str(doc["_id"]) not in text


def test_roles_and_areas_are_enforced(client: FlaskClient, data_set: None) -> None:
    assert client.get("/v1/statistics", headers=_auth("12.06", "officer")).status_code == 403
    outside = client.get("/v1/statistics?region_code=12.07", headers=_auth("12.06"))
    assert outside.status_code == 422
    assert outside.get_json()["errors"][0]["field"] == "region_code"
    unknown = client.get("/v1/statistics?tenant=12.06", headers=_auth("12.06"))
    assert unknown.status_code == 422


def test_an_empty_area_answers_zeros(client: FlaskClient, app: Flask) -> None:
    body = client.get("/v1/statistics", headers=_auth("13.01")).get_json()
    assert body["total"] == 0
    assert body["time_to_close"] == {"count": 0, "mean_hours": None, "median_hours": None}
    assert body["closed_within_deadline"]["share"] is None


def test_the_weekly_trend_counts_received_and_closed_cases_per_local_week(
    client: FlaskClient, data_set: None
) -> None:
    # The period starts on 1 November, but the trend shows the twelve weeks up to its end.
    body = client.get(
        "/v1/statistics?from=2024-11-01T00:00:00%2B07:00&to=2024-12-01T00:00:00%2B07:00",
        headers=_auth("12.06"),
    ).get_json()
    assert body["total"] == 2
    weeks = body["weekly"]
    assert len(weeks) == 12
    assert (weeks[0]["week_start"], weeks[-1]["week_start"]) == ("2024-09-09", "2024-11-25")
    received = {w["week_start"]: w["received"] for w in weeks if w["received"]}
    closed = {w["week_start"]: w["closed"] for w in weeks if w["closed"]}
    # Saturday 5 October 08:00 WIB is in the week of 30 September; Sunday 20 October in
    # the week of 14 October; the two November cases in the week of 28 October.
    assert received == {"2024-09-30": 1, "2024-10-14": 1, "2024-10-28": 2}
    # Closed by the week they were closed in: 7 October (Monday) and 25 October.
    assert closed == {"2024-10-07": 1, "2024-10-21": 1}


def test_the_trend_ends_at_the_period_end(client: FlaskClient, data_set: None) -> None:
    body = client.get(
        "/v1/statistics?region_code=12.07&to=2024-12-01T00:00:00%2B07:00",
        headers=_auth("12", "operator"),
    ).get_json()
    # Deli Serdang's second case arrived at 03:00 on 1 December, after the end.
    assert [w for w in body["weekly"] if w["received"] or w["closed"]] == [
        {"week_start": "2024-11-04", "received": 1, "closed": 1}
    ]
    # Without an end the trend runs to now: the 2024 cases are long before it.
    now = client.get("/v1/statistics", headers=_auth("12", "operator")).get_json()
    assert sum(w["received"] + w["closed"] for w in now["weekly"]) == 0
    assert len(now["weekly"]) == 12


def test_a_category_narrows_every_figure(client: FlaskClient, data_set: None) -> None:
    hoax = client.get("/v1/statistics?category=HOAKS", headers=_auth("12", "auditor")).get_json()
    assert (hoax["category"], hoax["total"]) == ("HOAKS", 2)
    assert hoax["by_category"] == {"HOAKS": 2}
    assert hoax["by_regency"] == {"12.06": 1, "12.07": 1}
    assert hoax["closed_within_deadline"]["closed_with_deadline"] == 1
    rows = {row["region_code"]: row for row in hoax["regencies"]}
    assert rows["12.07"]["closed_within_deadline"]["share"] == 1.0
    waiting = client.get("/v1/statistics?category=unclassified", headers=_auth("12.06")).get_json()
    assert (waiting["total"], waiting["by_status"]) == (1, {"received": 1})
