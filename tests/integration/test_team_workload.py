"""The team board's figures on the real MongoDB: each officer's open, overdue, due-soon,
waiting and untouched cases, the row of cases nobody holds, tenancy, and figures that agree
with the case list they link to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient

from services.intake.access.keys import create_key
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from shared.settings import Settings
from tests.support.builders import case_payload

KARO, BELITUNG = "12.06", "19.02"
DAY = timedelta(days=1)


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def auth(region: str, role: str = "supervisor") -> dict[str, str]:
    token = create_key(name=f"{role} {region}", region=region, role=role)[0]
    return {"Authorization": f"Bearer {token}"}


def submit(client: FlaskClient, region: str = KARO, title: str = "ASN berkampanye") -> str:
    province = region.split(".")[0]
    answer = client.post(
        "/v1/cases",
        json=case_payload(title=title, region_code=region),
        headers=auth(province, "operator"),
    )
    assert answer.status_code == 201, answer.get_json()
    return str(answer.get_json()["id"])


def routed(case_id: str, officer: str | None, *, due_in: timedelta | None, **fields: Any) -> None:
    """What triage's assignment would have written on the case (triage does not run here)."""
    triage: dict[str, Any] = {
        "triage.assignee": {"officer_id": officer, "name": officer.title()} if officer else None,
        "triage.to_province": officer is None,
    }
    if due_in is not None:
        triage["triage.due_at"] = datetime.now(UTC) + due_in
    Case._get_collection().update_one({"_id": ObjectId(case_id)}, {"$set": {**triage, **fields}})


def rows(client: FlaskClient, headers: dict[str, str], **params: str) -> dict[Any, dict[str, Any]]:
    answer = client.get("/v1/workload", query_string=params, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return {(r["region"], r["officer_id"]): r for r in answer.get_json()["items"]}


def test_each_officer_gets_their_open_overdue_due_soon_waiting_and_untouched_counts(
    client: FlaskClient,
) -> None:
    overdue = submit(client, title="lewat")
    routed(overdue, "karo-a", due_in=-DAY)
    soon = submit(client, title="segera")
    routed(soon, "karo-a", due_in=DAY, acknowledged_at=datetime.now(UTC))
    later = submit(client, title="nanti")
    routed(later, "karo-a", due_in=10 * DAY, status="verified")
    waiting = submit(client, title="menunggu")
    routed(waiting, "karo-a", due_in=5 * DAY, status="awaiting_info")
    closed = submit(client, title="selesai")
    routed(closed, "karo-a", due_in=-DAY, status="closed")
    other = submit(client, title="rekan")
    routed(other, "karo-b", due_in=None)
    desk = submit(client, title="meja provinsi")
    routed(desk, None, due_in=3 * DAY)

    due_before = (datetime.now(UTC) + 2 * DAY).isoformat()
    found = rows(client, auth(KARO), due_before=due_before)

    mine = found[(KARO, "karo-a")]
    assert mine["name"] == "Karo-A"
    # The closed case counts nowhere; the acknowledged and the verified ones are not untouched.
    assert (mine["open"], mine["overdue"], mine["due_soon"], mine["awaiting_info"]) == (4, 1, 2, 1)
    assert mine["untouched"] == 1
    assert mine["oldest_untouched"]["case_id"] == overdue
    colleague = found[(KARO, "karo-b")]
    # A case without a deadline (not triaged yet) is neither overdue nor due.
    assert (colleague["open"], colleague["overdue"], colleague["due_soon"]) == (1, 0, 0)
    nobody = found[(KARO, None)]
    assert (nobody["open"], nobody["untouched"], nobody["oldest_untouched"]["case_id"]) == (
        1,
        1,
        desk,
    )
    assert set(found) == {(KARO, "karo-a"), (KARO, "karo-b"), (KARO, None)}


def test_the_figures_agree_with_the_case_list_they_link_to(client: FlaskClient) -> None:
    for title, due in (("a", -DAY), ("b", -2 * DAY), ("c", DAY), ("d", 9 * DAY)):
        routed(submit(client, title=title), "karo-list", due_in=due)
    headers = auth(KARO)
    due_before = (datetime.now(UTC) + 2 * DAY).isoformat()
    mine = rows(client, headers, due_before=due_before)[(KARO, "karo-list")]

    def listed(**params: str) -> int:
        answer = client.get(
            "/v1/cases",
            query_string={"officer": "karo-list", "open": "true", **params},
            headers=headers,
        )
        assert answer.status_code == 200
        return int(answer.get_json()["count"])

    assert mine["open"] == listed() == 4
    assert mine["overdue"] == listed(overdue="true") == 2
    assert mine["due_soon"] == listed(due_before=due_before) == 3


def test_without_due_before_the_due_soon_figure_is_unknown_not_zero(client: FlaskClient) -> None:
    routed(submit(client), "karo-nodue", due_in=DAY)
    answer = client.get("/v1/workload", headers=auth(KARO))
    assert answer.get_json()["due_before"] is None
    assert [r["due_soon"] for r in answer.get_json()["items"]] == [None]


def test_a_province_sees_every_regency_in_rows_of_their_own_and_a_regency_only_its_own(
    client: FlaskClient,
) -> None:
    routed(submit(client, KARO), "karo-p", due_in=DAY)
    routed(submit(client, "12.71"), "medan-p", due_in=DAY)
    routed(submit(client, BELITUNG), "belitung-p", due_in=DAY)

    province = rows(client, auth("12", "auditor"))
    assert set(province) == {(KARO, "karo-p"), ("12.71", "medan-p")}
    one = rows(client, auth("12", "operator"), region_code="12.71")
    assert set(one) == {("12.71", "medan-p")}
    assert set(rows(client, auth(KARO))) == {(KARO, "karo-p")}
    outside = client.get("/v1/workload?region_code=12.71", headers=auth(KARO))
    assert outside.status_code == 422
    assert outside.get_json()["errors"][0]["field"] == "region_code"


def test_officers_and_office_systems_may_not_read_the_board(client: FlaskClient) -> None:
    for role in ("officer", "submitter"):
        assert client.get("/v1/workload", headers=auth(KARO, role)).status_code == 403


def test_a_due_before_without_a_time_zone_is_refused(client: FlaskClient) -> None:
    answer = client.get("/v1/workload?due_before=2026-12-04T00:00:00", headers=auth(KARO))
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == "due_before"
