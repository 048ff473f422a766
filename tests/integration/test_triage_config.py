"""Rules as data: a regency's routing table, roster, calendar and rules changed over the API,
validated, versioned, and picked up by a running worker without a restart."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.cli.infra import MongoServer
from services.triage.app import create_app
from services.triage.bootstrap import ensure_indexes
from services.triage.deps import TriageDeps, build
from services.triage.rules_files import default_rules_text
from shared.auth import Principal
from shared.settings import Settings
from tests.support.triage_calls import call, triage_case
from tests.unit.triage.builders import (
    HOAX_TEXT,
    HOAX_TITLE,
    KARO,
    FakeClock,
    accused,
    database_only_settings,
)

PRINCIPALS = {
    "karo-supervisor": Principal("pk_sup", "Drs. Herman Karo-Karo", KARO, "supervisor"),
    "karo-officer": Principal("pk_off", "Joni Sitepu", KARO, "officer"),
    "sumut-operator": Principal("pk_op", "Operator Sumut", "12", "operator"),
    "bengkulu-supervisor": Principal("pk_bkl", "Supervisor Bengkulu", "17.71", "supervisor"),
}
SHIPPED_TABLE: dict[str, Any] = {
    "units": ["DISKOMINFO", "BKPSDM", "INSPEKTORAT", "BAWASLU_LIAISON"],
    "default_unit": "BKPSDM",
    "by_category": {"HOAKS": "DISKOMINFO", "MEDSOS": "BKPSDM", "FASILITAS": "INSPEKTORAT"},
}


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


@pytest.fixture
def app(db_settings: Settings) -> Flask:
    app = create_app(settings=db_settings)
    app.config["PANTAU_AUTHENTICATE"] = PRINCIPALS.get
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def worker(db_settings: Settings, app: Flask) -> TriageDeps:
    """A running worker's dependencies, built (and its configuration cached) before any
    change is made over the API."""
    d = build(db_settings)
    d.clock = FakeClock()
    d.config.current(KARO)
    return d


# --- routing tables ----------------------------------------------------------------------------


def test_routing_table_with_a_missing_unit_is_refused_and_the_old_one_stays(
    client: FlaskClient, worker: TriageDeps
) -> None:
    broken = copy.deepcopy(SHIPPED_TABLE)
    broken["by_category"]["HOAKS"] = "HUMAS"
    broken["by_category"]["KORUPSI"] = "INSPEKTORAT"
    broken["default_unit"] = "SEKRETARIAT"
    status, problem = call(client, "PUT", f"/v1/regions/{KARO}/routing", body=broken)
    assert status == 422
    assert problem["version_in_force"] == 0
    messages = " | ".join(e["message"] for e in problem["errors"])
    assert "HUMAS" in messages
    assert "KORUPSI" in messages
    assert "SEKRETARIAT" in messages
    status, body = call(client, "GET", f"/v1/regions/{KARO}/routing", "karo-officer")
    assert (status, body["version"], body["source"]) == (200, 0, "shipped")
    assert body["table"]["by_category"]["HOAKS"] == "DISKOMINFO"
    hoax = triage_case(worker, title=HOAX_TITLE, description=HOAX_TEXT, evidence_urls=[])
    assert hoax["unit"] == "DISKOMINFO"


def test_new_routing_table_reaches_a_running_worker_without_restart(
    client: FlaskClient, worker: TriageDeps
) -> None:
    table = {
        **SHIPPED_TABLE,
        "by_category": {**SHIPPED_TABLE["by_category"], "HOAKS": "INSPEKTORAT"},
    }
    status, body = call(
        client, "PUT", f"/v1/regions/{KARO}/routing", body={**table, "reason": "Tim siber"}
    )
    assert status == 200, body
    assert body["version"] == 1
    hoax = triage_case(worker, title=HOAX_TITLE, description=HOAX_TEXT, evidence_urls=[])
    assert hoax["unit"] == "INSPEKTORAT"
    assert hoax["assignee_id"] == "karo-insp-1"
    assert hoax["config_versions"]["routing"] == 1
    status, history = call(client, "GET", f"/v1/regions/{KARO}/config/history?kind=routing")
    assert [(v["version"], v["reason"]) for v in history["versions"]] == [(1, "Tim siber")]
    assert history["versions"][0]["by"] == "Drs. Herman Karo-Karo (pk_sup)"
    # Back to the shipped table, also as a version of its own.
    status, body = call(client, "DELETE", f"/v1/regions/{KARO}/routing")
    assert (status, body["version"], body["source"]) == (200, 2, "override")
    assert body["table"]["by_category"]["HOAKS"] == "DISKOMINFO"


def test_a_unit_that_still_has_officers_cannot_be_dropped(client: FlaskClient) -> None:
    table = {**SHIPPED_TABLE, "units": ["DISKOMINFO", "BKPSDM", "INSPEKTORAT"]}
    table["by_category"] = {"HOAKS": "DISKOMINFO"}
    # Karo's shipped roster has nobody in BAWASLU_LIAISON, so that unit may go...
    assert call(client, "PUT", f"/v1/regions/{KARO}/routing", body=table)[0] == 200
    # ...but INSPEKTORAT has Edi Purba.
    table = {**table, "units": ["DISKOMINFO", "BKPSDM"]}
    status, problem = call(client, "PUT", f"/v1/regions/{KARO}/routing", body=table)
    assert status == 422
    assert any("karo-insp-1" in e["message"] for e in problem["errors"])


# --- roster --------------------------------------------------------------------------------------


def test_unavailable_officer_is_skipped_from_the_next_case(
    client: FlaskClient, worker: TriageDeps
) -> None:
    assert triage_case(worker)["assignee_id"] == "karo-bkpsdm-1"
    status, body = call(
        client,
        "PATCH",
        f"/v1/regions/{KARO}/roster/officers/karo-bkpsdm-2",
        body={"available": False, "reason": "cuti"},
    )
    assert status == 200, body
    # karo-bkpsdm-2 has the lower load now, but is away: karo-bkpsdm-1 gets it again.
    second = triage_case(worker, evidence_urls=[], people=[accused(name="Sari", nip=None)])
    assert second["assignee_id"] == "karo-bkpsdm-1"


def test_conflicts_recuse_officers_and_send_the_case_to_the_province(
    client: FlaskClient, worker: TriageDeps
) -> None:
    nip = "198609262015051001"  # the accused of the default case
    for officer in ("karo-bkpsdm-1", "karo-supervisor"):
        status, _ = call(
            client,
            "PATCH",
            f"/v1/regions/{KARO}/roster/officers/{officer}",
            body={"conflicts": [nip]},
        )
        assert status == 200
    # A declared conflict with a candidate pair counts when the report names the candidate.
    call(
        client,
        "PATCH",
        f"/v1/regions/{KARO}/roster/officers/karo-bkpsdm-2",
        body={"conflicts": ["Bobby Nasution"]},
    )
    decision = triage_case(
        worker,
        description="Staf Disdik membagikan unggahan akun tim pemenangan paslon Bobby Nasution.",
    )
    assert decision["to_province"] is True
    assert decision["assignee_id"] == "sumut-desk"
    recusals = {r["officer_id"]: r["reason"] for r in decision["recusals"]}
    assert recusals == {
        "karo-bkpsdm-1": "konflik kepentingan dengan terlapor",
        "karo-bkpsdm-2": "konflik kepentingan dengan pasangan calon",
        "karo-supervisor": "konflik kepentingan dengan terlapor",
    }
    assert "diteruskan ke provinsi" in decision["explanation"]


def test_roster_with_unknown_unit_or_role_is_refused(client: FlaskClient) -> None:
    officers = [
        {"id": "a", "name": "Ani", "unit": "PROTOKOL"},
        {"id": "b", "name": "Budi", "unit": "BKPSDM", "role": "kepala"},
        {"id": "a", "name": "Ani lagi", "unit": "BKPSDM", "email": "not-an-address"},
    ]
    status, problem = call(client, "PUT", f"/v1/regions/{KARO}/roster", body={"officers": officers})
    assert status == 422
    fields = {e["field"] for e in problem["errors"]}
    assert {"officers[0]", "officers[1]", "officers[2]"} <= fields
    status, body = call(client, "GET", f"/v1/regions/{KARO}/roster")
    assert len(body["officers"]) == 5  # the shipped roster is still in force


# --- calendars -----------------------------------------------------------------------------------


def test_calendar_with_overlapping_entries_is_refused(client: FlaskClient) -> None:
    entries = [
        {"kind": "collective_leave", "start": "2024-12-24", "end": "2024-12-27", "label": "a"},
        {"kind": "holiday", "start": "2024-12-26", "label": "hari jadi"},
        {"kind": "collective_leave", "start": "2024-12-31", "end": "2024-12-30"},
        {"kind": "holiday", "start": "2024-13-01"},
    ]
    status, problem = call(client, "PUT", f"/v1/regions/{KARO}/calendar", body={"entries": entries})
    assert status == 422
    messages = " | ".join(f"{e['field']}: {e['message']}" for e in problem["errors"])
    assert "both collective leave and an extra holiday" in messages
    assert "ends 2024-12-30 before it starts" in messages
    assert "entries[3].start" in messages
    assert "already a national holiday" in messages  # 25 Dec is Christmas


def test_a_local_holiday_moves_the_next_deadline(client: FlaskClient, worker: TriageDeps) -> None:
    before = triage_case(worker)
    assert before["due_at"] == datetime(2024, 11, 7, 16, 59, 59, 999000, tzinfo=UTC)
    status, body = call(
        client,
        "PUT",
        f"/v1/regions/{KARO}/calendar",
        body={"entries": [{"kind": "holiday", "start": "2024-11-06", "label": "hari jadi"}]},
    )
    assert status == 200, body
    after = triage_case(worker, evidence_urls=[], people=[accused(name="Sari", nip=None)])
    assert after["due_at"] == datetime(2024, 11, 8, 16, 59, 59, 999000, tzinfo=UTC)


# --- rules ---------------------------------------------------------------------------------------


def test_rules_that_do_not_parse_are_refused_and_the_old_ones_stay(
    client: FlaskClient, worker: TriageDeps
) -> None:
    status, problem = call(
        client, "PUT", f"/v1/regions/{KARO}/rules", body={"text": "version: [unclosed\n"}
    )
    assert status == 422
    assert "not valid YAML" in problem["errors"][0]["message"]
    assert "line" in problem["errors"][0]["field"]
    broken = default_rules_text().replace("sanction: berat", "sanction: sangat_berat", 1)
    status, problem = call(client, "PUT", f"/v1/regions/{KARO}/rules", body={"text": broken})
    assert status == 422
    assert "sangat_berat" in problem["errors"][0]["message"]
    assert triage_case(worker)["rules_version"] == worker.config.defaults.rules.version


def test_new_rules_version_is_used_and_recorded(client: FlaskClient, worker: TriageDeps) -> None:
    shipped = default_rules_text()
    old_version = worker.config.defaults.rules.version
    # A local word for "sharing" the task force wants counted as social-media activity.
    changed = shipped.replace(f'version: "{old_version}"', 'version: "karo-2024.11-1"')
    changed = changed.replace("      bagikan:", "      sebar konten paslon: 3.0\n      bagikan:", 1)
    assert changed != shipped
    same_version = changed.replace('version: "karo-2024.11-1"', f'version: "{old_version}"')
    status, problem = call(client, "PUT", f"/v1/regions/{KARO}/rules", body={"text": same_version})
    assert status == 422
    assert "new version" in problem["errors"][0]["message"]
    status, body = call(client, "PUT", f"/v1/regions/{KARO}/rules", body={"text": changed})
    assert status == 200, body
    assert body["rules_version"] == "karo-2024.11-1"
    decision = triage_case(
        worker,
        title="Sebar konten paslon",
        description="Pegawai kecamatan sebar konten paslon lewat akun pribadinya.",
        evidence_urls=[],
    )
    assert decision["rules_version"] == "karo-2024.11-1"
    assert decision["category"] == "MEDSOS"
    assert "sebar konten paslon" in {r["phrase"] for r in decision["reasons"]}


def test_a_stored_version_that_no_longer_loads_leaves_the_last_good_one(
    client: FlaskClient, worker: TriageDeps
) -> None:
    table = {**SHIPPED_TABLE, "by_category": {"HOAKS": "INSPEKTORAT"}}
    assert call(client, "PUT", f"/v1/regions/{KARO}/routing", body=table)[0] == 200
    assert triage_case(worker, title=HOAX_TITLE, description=HOAX_TEXT)["unit"] == "INSPEKTORAT"
    # A version written behind the API's back (or by an older release) that is not valid.
    worker.config.versions.insert_one(
        {"tenant": KARO, "kind": "routing", "version": 2, "data": {"units": "not a list"}}
    )
    worker.config.heads.update_one({"_id": KARO}, {"$set": {"routing": 2}})
    again = triage_case(
        worker,
        title="Hoaks air PDAM diracun",
        description=(
            "Beredar kabar bohong bahwa air PDAM diracun menjelang pencoblosan supaya warga "
            "takut datang ke TPS. Kabar hoaks ini disebar akun anonim."
        ),
        evidence_urls=[],
        people=[],
    )
    assert again["unit"] == "INSPEKTORAT"
    assert again["config_versions"]["routing"] == 1


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "path", "status"),
    [
        ("karo-officer", f"/v1/regions/{KARO}/routing", 403),
        ("bengkulu-supervisor", f"/v1/regions/{KARO}/routing", 404),
        ("sumut-operator", "/v1/regions/12/routing", 422),
        ("sumut-operator", "/v1/regions/99.01/routing", 422),
        ("sumut-operator", "/v1/regions/1206/routing", 422),
    ],
)
def test_only_managers_of_the_regency_change_its_configuration(
    client: FlaskClient, key: str, path: str, status: int
) -> None:
    assert call(client, "PUT", path, key, SHIPPED_TABLE)[0] == status


def test_the_province_manages_its_regencies(client: FlaskClient) -> None:
    status, body = call(
        client, "PUT", f"/v1/regions/{KARO}/routing", "sumut-operator", SHIPPED_TABLE
    )
    assert (status, body["version"]) == (200, 1)
    status, config = call(client, "GET", f"/v1/regions/{KARO}/config", "karo-officer")
    assert config["versions"]["routing"] == 1
    assert config["roster"]["province_desk"]["officer_id"] == "sumut-desk"
    assert config["calendar"]["entries"][0]["start"] == "2024-12-26"
    assert config["rules"]["text"] == default_rules_text()
