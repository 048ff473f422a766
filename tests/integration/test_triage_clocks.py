"""Triage's clocks for a page of cases, and its working-day calendar, over HTTP on the real
database, with tenancy enforced."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask.testing import FlaskClient

from services.triage.deps import TriageDeps
from tests.integration.test_triage_api import (  # the fixtures of triage's API tests
    KARO,
    KUTAI_KARTANEGARA,
    app,  # noqa: F401
    call,
    client,  # noqa: F401
    db_settings,  # noqa: F401
    triage,  # noqa: F401
    triaged_case,
)


def test_clocks_answer_for_the_visible_triaged_cases_of_a_page(
    client: FlaskClient, triage: TriageDeps
) -> None:
    mine = [triaged_case(triage) for _ in range(2)]
    elsewhere = triaged_case(triage, tenant=KUTAI_KARTANEGARA)
    query = "&".join(f"case_id={c}" for c in [*mine, elsewhere, "not-a-case"])

    status, body = call(client, "GET", f"/v1/clocks?{query}", "karo-officer")

    assert status == 200
    assert sorted(i["case_id"] for i in body["items"]) == sorted(mine)
    for item in body["items"]:
        deadline = datetime.fromisoformat(item["deadline"])
        assert deadline > triage.clock()
        # A new case's deadline is days away, counted in working days of Karo's calendar.
        assert item["working_days_left"] >= 1
        assert item["paused"] is False and item["stopped"] is False
        assert item["status"] in ("on_time", "due_soon")


def test_working_days_left_turn_negative_once_the_deadline_has_passed(
    client: FlaskClient, triage: TriageDeps
) -> None:
    case_id = triaged_case(triage)
    triage.clock.advance(days=40)  # type: ignore[attr-defined]

    _, body = call(client, "GET", f"/v1/clocks?case_id={case_id}", "karo-supervisor")

    (item,) = body["items"]
    assert item["working_days_left"] < 0
    assert item["status"] == "breached"


def test_clocks_refuse_an_empty_or_oversized_question(client: FlaskClient) -> None:
    assert call(client, "GET", "/v1/clocks", "karo-officer")[0] == 422
    many = "&".join(f"case_id=c{i}" for i in range(101))
    assert call(client, "GET", f"/v1/clocks?{many}", "karo-officer")[0] == 422


def test_working_days_ahead_skip_weekends_and_holidays(
    client: FlaskClient, triage: TriageDeps
) -> None:
    status, body = call(client, "GET", f"/v1/regions/{KARO}/working-days?ahead=5", "karo-officer")
    assert status == 200
    until = datetime.fromisoformat(body["until"])
    # Five working days are at least five calendar days and at most a fortnight away.
    assert timedelta(days=5) <= until - triage.clock() < timedelta(days=15)
    assert until.astimezone(triage.config.calendar(triage.config.current(KARO)).tz).weekday() < 5


def test_working_days_of_another_regency_are_not_found(client: FlaskClient) -> None:
    status, _ = call(
        client, "GET", f"/v1/regions/{KUTAI_KARTANEGARA}/working-days?ahead=2", "karo-officer"
    )
    assert status == 404
    status, _ = call(client, "GET", "/v1/regions/12/working-days?ahead=2", "sumut-operator")
    assert status == 200
    status, _ = call(client, "GET", f"/v1/regions/{KARO}/working-days?ahead=0", "karo-officer")
    assert status == 422
