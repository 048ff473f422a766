"""The officer directory on the real MongoDB: API, tenancy, optimistic changes, events in the
outbox, the CLI, and API keys that name their officer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from services.cli.main import cli
from services.intake.access.keys import OfficerLinkRefused, authenticate, create_key
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.directory import officers as directory
from services.intake.directory.models import OfficerEntry
from shared.contracts import OfficerChanged, decode
from shared.settings import Settings, get_settings


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def key(region: str = "12.06", role: str = "supervisor", officer_id: str | None = None) -> str:
    return create_key(f"{role} {region}", region, role, officer_id=officer_id)[0]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "officer_id": "karo-bkpsdm-3",
        "region": "12.06",
        "unit": "BKPSDM",
        "name": "Rehulina Br Sembiring",
        "email": "rehulina@karo.example",
        "phone": "0812 6000 0009",
        "conflicts": ["Rudi Ginting"],
    }
    data.update(changes)
    if "officer_id" in changes and "email" not in changes:
        # People sign in with their e-mail address: each entry has its own.
        data["email"] = f"{str(changes['officer_id']).replace(' ', '')}@karo.example"
    return data


def events(officer_id: str) -> list[OfficerChanged]:
    doc = OfficerEntry._get_collection().find_one({"_id": officer_id})
    assert doc is not None
    found = []
    for item in doc.get("outbox", []):
        envelope, event = decode(item["body"].encode())
        assert isinstance(event, OfficerChanged)
        assert envelope.tenant == event.region
        found.append(event)
    return found


# --- CRUD ----------------------------------------------------------------------------------------


def test_create_read_change_and_deactivate_each_announce_the_new_state(
    client: FlaskClient,
) -> None:
    token = key()
    created = client.post("/v1/officers", json=body(), headers=auth(token))
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    assert entry["phone"] == "+6281260000009"
    assert entry["timezone"] == "Asia/Jakarta"
    assert entry["version"] == 1
    assert created.headers["Location"] == "/v1/officers/karo-bkpsdm-3"

    read = client.get("/v1/officers/karo-bkpsdm-3", headers=auth(token))
    assert read.get_json() == entry

    changed = client.patch(
        "/v1/officers/karo-bkpsdm-3",
        json={"version": 1, "language": "en", "email": None},
        headers=auth(token),
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["version"] == 2
    assert changed.get_json()["email"] is None
    assert changed.get_json()["name"] == "Rehulina Br Sembiring"

    # Nothing changed: nothing stored, no event.
    same = client.patch(
        "/v1/officers/karo-bkpsdm-3", json={"version": 2, "language": "en"}, headers=auth(token)
    )
    assert same.get_json()["version"] == 2

    gone = client.delete("/v1/officers/karo-bkpsdm-3", headers=auth(token))
    assert gone.status_code == 200
    assert gone.get_json()["active"] is False
    assert gone.get_json()["version"] == 3
    assert client.delete("/v1/officers/karo-bkpsdm-3", headers=auth(token)).status_code == 409
    # Kept, but no longer an active officer.
    assert directory.get("karo-bkpsdm-3") is not None
    assert directory.lookup("karo-bkpsdm-3") is None

    announced = events("karo-bkpsdm-3")
    assert [(e.version, e.active, e.language) for e in announced] == [
        (1, True, "id"),
        (2, True, "en"),
        (3, False, "en"),
    ]
    assert announced[0].conflicts == ["Rudi Ginting"]

    listed = client.get("/v1/officers?active=false", headers=auth(token)).get_json()["items"]
    assert [o["officer_id"] for o in listed] == ["karo-bkpsdm-3"]
    assert client.get("/v1/officers?active=true", headers=auth(token)).get_json()["items"] == []


def test_lookup_gives_the_raw_document_of_an_active_officer(client: FlaskClient) -> None:
    client.post("/v1/officers", json=body(), headers=auth(key()))
    doc = directory.lookup("karo-bkpsdm-3")
    assert doc is not None
    assert set(doc) == {
        "_id",
        "region",
        "unit",
        "role",
        "name",
        "email",
        "phone",
        "language",
        "timezone",
        "conflicts",
        "active",
        "version",
    }
    assert directory.as_recipient(doc).email == "rehulina@karo.example"
    assert directory.lookup("nobody") is None


def test_a_stale_version_is_refused_with_the_current_one(client: FlaskClient) -> None:
    token = key()
    client.post("/v1/officers", json=body(), headers=auth(token))
    first = client.patch(
        "/v1/officers/karo-bkpsdm-3", json={"version": 1, "name": "A"}, headers=auth(token)
    )
    assert first.status_code == 200
    second = client.patch(
        "/v1/officers/karo-bkpsdm-3", json={"version": 1, "name": "B"}, headers=auth(token)
    )
    assert second.status_code == 409
    assert second.get_json()["current_version"] == 2
    assert directory.get("karo-bkpsdm-3")["name"] == "A"  # type: ignore[index]


def test_a_taken_id_is_a_conflict(client: FlaskClient) -> None:
    token = key()
    assert client.post("/v1/officers", json=body(), headers=auth(token)).status_code == 201
    again = client.post("/v1/officers", json=body(name="Other"), headers=auth(token))
    assert again.status_code == 409


def test_bad_input_names_every_field(client: FlaskClient) -> None:
    token = key()
    bad = client.post(
        "/v1/officers",
        json=body(officer_id="Bad Id", phone="021 555", unit="KOMINFO", surprise=1),
        headers=auth(token),
    )
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    fields = {e["field"] for e in bad.get_json()["errors"]}
    assert fields == {"officer_id", "phone", "unit", "surprise"}
    client.post("/v1/officers", json=body(), headers=auth(token))
    patch = client.patch("/v1/officers/karo-bkpsdm-3", json={"name": None}, headers=auth(token))
    assert patch.status_code == 422
    assert {e["field"] for e in patch.get_json()["errors"]} == {"version", "name"}


# --- tenancy -------------------------------------------------------------------------------------


def test_other_regions_officers_are_invisible(client: FlaskClient) -> None:
    karo, bengkulu = key("12.06"), key("17.71")
    client.post("/v1/officers", json=body(), headers=auth(karo))
    for method in ("get", "delete"):
        answer = getattr(client, method)("/v1/officers/karo-bkpsdm-3", headers=auth(bengkulu))
        assert answer.status_code == 404
    patch = client.patch(
        "/v1/officers/karo-bkpsdm-3", json={"version": 1, "name": "X"}, headers=auth(bengkulu)
    )
    assert patch.status_code == 404
    assert client.get("/v1/officers", headers=auth(bengkulu)).get_json()["items"] == []
    # A supervisor cannot place an officer outside their regency, nor move one there.
    outside = client.post("/v1/officers", json=body(officer_id="x-1"), headers=auth(bengkulu))
    assert outside.status_code == 422
    assert outside.get_json()["errors"][0]["field"] == "region"
    moved = client.patch(
        "/v1/officers/karo-bkpsdm-3", json={"version": 1, "region": "17.71"}, headers=auth(karo)
    )
    assert moved.status_code == 422


def test_an_operator_manages_the_whole_province(client: FlaskClient) -> None:
    operator = key("12", "operator")
    for officer_id, region, unit in (
        ("karo-bkpsdm-3", "12.06", "BKPSDM"),
        ("sumut-desk-2", "12", "PROVINSI"),
    ):
        answer = client.post(
            "/v1/officers",
            json=body(
                officer_id=officer_id, region=region, unit=unit, email=f"{officer_id}@x.example"
            ),
            headers=auth(operator),
        )
        assert answer.status_code == 201, answer.get_json()
    listed = client.get("/v1/officers", headers=auth(operator)).get_json()["items"]
    assert [o["officer_id"] for o in listed] == ["sumut-desk-2", "karo-bkpsdm-3"]
    only = client.get("/v1/officers?unit=PROVINSI", headers=auth(operator)).get_json()["items"]
    assert [o["officer_id"] for o in only] == ["sumut-desk-2"]
    # A regency's supervisor does not see the province's own officers.
    assert client.get("/v1/officers/sumut-desk-2", headers=auth(key())).status_code == 404
    assert client.get("/v1/officers?unit=NOPE", headers=auth(operator)).status_code == 422


def test_roles(client: FlaskClient) -> None:
    client.post("/v1/officers", json=body(), headers=auth(key()))
    submitter = key(role="submitter")
    assert client.get("/v1/officers", headers=auth(submitter)).status_code == 403
    assert client.post("/v1/officers", json=body(), headers=auth(submitter)).status_code == 403
    # An officer reads their own entry (their key names them), nobody else's.
    own = key(role="officer", officer_id="karo-bkpsdm-3")
    assert client.get("/v1/officers/karo-bkpsdm-3", headers=auth(own)).status_code == 200
    assert (
        client.get("/v1/officers/karo-bkpsdm-3", headers=auth(key(role="officer"))).status_code
        == 403
    )


# --- keys that name an officer ---------------------------------------------------------------


def test_a_key_names_its_officer_and_whoami_says_so(client: FlaskClient) -> None:
    client.post("/v1/officers", json=body(), headers=auth(key()))
    token = key(role="officer", officer_id="karo-bkpsdm-3")
    principal = authenticate(token)
    assert principal is not None
    assert principal.officer_id == "karo-bkpsdm-3"
    assert principal.as_dict()["officer_id"] == "karo-bkpsdm-3"
    who = client.get("/v1/auth/whoami", headers=auth(token)).get_json()
    assert who["officer_id"] == "karo-bkpsdm-3"
    # An office's key says nothing about an officer.
    assert "officer_id" not in client.get("/v1/auth/whoami", headers=auth(key())).get_json()


def test_changes_are_attributed_to_the_officer_behind_the_key(client: FlaskClient) -> None:
    client.post("/v1/officers", json=body(), headers=auth(key("12", "operator")))
    client.post(
        "/v1/officers",
        json=body(officer_id="karo-supervisor-2", role="supervisor", email="herman2@karo.example"),
        headers=auth(key("12", "operator")),
    )
    token = key(role="supervisor", officer_id="karo-supervisor-2")
    client.patch(
        "/v1/officers/karo-bkpsdm-3", json={"version": 1, "name": "X"}, headers=auth(token)
    )
    doc = OfficerEntry._get_collection().find_one({"_id": "karo-bkpsdm-3"})
    assert doc is not None
    assert doc["updated_by"]["officer_id"] == "karo-supervisor-2"


def test_a_key_may_only_name_an_active_officer_of_its_region(client: FlaskClient) -> None:
    supervisor = key()
    client.post("/v1/officers", json=body(), headers=auth(supervisor))
    with pytest.raises(OfficerLinkRefused):
        create_key("x", "12.06", "officer", officer_id="nobody")
    with pytest.raises(OfficerLinkRefused):
        create_key("x", "17.71", "officer", officer_id="karo-bkpsdm-3")
    operator = key("12", "operator")
    ok = client.post(
        "/v1/keys",
        json={
            "name": "Rehulina",
            "region": "12.06",
            "role": "officer",
            "officer_id": "karo-bkpsdm-3",
        },
        headers=auth(operator),
    )
    assert ok.status_code == 201
    assert ok.get_json()["officer_id"] == "karo-bkpsdm-3"
    client.delete("/v1/officers/karo-bkpsdm-3", headers=auth(supervisor))
    refused = client.post(
        "/v1/keys",
        json={
            "name": "Rehulina",
            "region": "12.06",
            "role": "officer",
            "officer_id": "karo-bkpsdm-3",
        },
        headers=auth(operator),
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "officer_id"


# --- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("PANTAU_MONGO_URL", settings.mongo_url)
    monkeypatch.setenv("PANTAU_DB_PREFIX", settings.db_prefix)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_cli_adds_lists_shows_updates_and_deactivates(runner: CliRunner) -> None:
    added = runner.invoke(
        cli,
        [
            "officers", "add", "--id", "kukar-bkpsdm-2", "--region", "64.02", "--unit", "BKPSDM",
            "--name", "Nur Aini", "--phone", "0812-6000-0011", "--conflict", "Agus Salim",
        ],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    shown = runner.invoke(cli, ["officers", "show", "kukar-bkpsdm-2"])
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.output)
    assert doc["phone"] == "+6281260000011"
    assert doc["timezone"] == "Asia/Makassar"
    assert doc["conflicts"] == ["Agus Salim"]

    updated = runner.invoke(cli, ["officers", "update", "kukar-bkpsdm-2", "--language", "en"])
    assert updated.exit_code == 0, updated.output
    stale = runner.invoke(
        cli, ["officers", "update", "kukar-bkpsdm-2", "--version", "1", "--name", "X"]
    )
    assert stale.exit_code == 2
    assert "version 2" in stale.output

    bad = runner.invoke(
        cli, ["officers", "add", "--id", "x-1", "--region", "64.02", "--unit", "BKPSDM",
              "--name", "X", "--phone", "021 555"],
    )  # fmt: skip
    assert bad.exit_code == 2
    assert "phone" in bad.output

    key_made = runner.invoke(
        cli,
        ["keys", "create", "--region", "64.02", "--role", "officer", "--name", "Nur Aini",
         "--officer", "kukar-bkpsdm-2"],
    )  # fmt: skip
    assert key_made.exit_code == 0, key_made.output
    principal = authenticate(key_made.output.strip().splitlines()[-1])
    assert principal is not None
    assert principal.officer_id == "kukar-bkpsdm-2"

    gone = runner.invoke(cli, ["officers", "deactivate", "kukar-bkpsdm-2"])
    assert gone.exit_code == 0, gone.output
    listed = runner.invoke(cli, ["officers", "list"])
    assert "kukar-bkpsdm-2" not in listed.output
    everything = runner.invoke(cli, ["officers", "list", "--all"])
    assert "kukar-bkpsdm-2\t64.02\tBKPSDM\tofficer\tinactive\tv3" in everything.output
    refused = runner.invoke(
        cli,
        ["keys", "create", "--region", "64.02", "--role", "officer", "--name", "Nur",
         "--officer", "kukar-bkpsdm-2"],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "no active officer" in refused.output


def test_an_email_address_belongs_to_one_person_whatever_its_letter_case(
    client: FlaskClient,
) -> None:
    """People sign in to the console with their address: two entries may not share one."""
    token = key()
    first = client.post("/v1/officers", json=body(), headers=auth(token))
    assert first.status_code == 201
    twin = client.post(
        "/v1/officers",
        json=body(officer_id="karo-bkpsdm-9", email="Rehulina@KARO.example"),
        headers=auth(token),
    )
    assert twin.status_code == 409
    assert [e["field"] for e in twin.get_json()["errors"]] == ["email"]
