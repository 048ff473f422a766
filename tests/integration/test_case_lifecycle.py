"""Officers working cases through intake's API on the real MongoDB: the status flow, what each
change needs, stale versions, tenancy, transfer, reopen, comments, duplicates and the audit
trail with its hash chain (verified by the API and by ``pantau audit verify``)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from services.cli.main import cli
from services.intake.access.keys import create_key
from services.intake.actions import audit, audit_reads
from services.intake.actions.audit_models import AuditEntry
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerCreate
from shared.contracts import decode
from shared.settings import Settings, get_settings
from tests.support.builders import case_payload
from tests.support.concurrency import at_once
from tests.support.served import queries_on


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def key(region: str = "12.06", role: str = "supervisor", name: str | None = None) -> str:
    return create_key(name=name or f"{role} {region}", region=region, role=role)[0]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(client: FlaskClient, region: str = "12.06", **payload: Any) -> str:
    answer = client.post(
        "/v1/cases", json=case_payload(**payload), headers=auth(key(region, "submitter"))
    )
    assert answer.status_code == 201, answer.get_json()
    return str(answer.get_json()["id"])


def act(
    client: FlaskClient, token: str, target: str, action: str, /, **body: Any
) -> tuple[int, dict[str, Any]]:
    answer = client.post(f"/v1/cases/{target}/{action}", json=body, headers=auth(token))
    return answer.status_code, answer.get_json()


def version(client: FlaskClient, token: str, case_id: str) -> int:
    return int(client.get(f"/v1/cases/{case_id}", headers=auth(token)).get_json()["version"])


def stored(case_id: str) -> dict[str, Any]:
    doc: dict[str, Any] | None = Case._get_collection().find_one({"_id": ObjectId(case_id)})
    assert doc is not None
    return doc


def events(case_id: str) -> list[Any]:
    """The events the case's outbox holds (the relay is not running here)."""
    return [decode(e["body"].encode()) for e in stored(case_id).get("outbox", [])]


def audit_entries(case_id: str) -> list[dict[str, Any]]:
    return list(AuditEntry._get_collection().find({"case_id": case_id}).sort("seq", 1))


# --- the whole flow ----------------------------------------------------------------------------


def test_a_case_walks_from_receipt_to_sanction_with_every_step_recorded(
    client: FlaskClient,
) -> None:
    case_id = submit(client)
    boss, officer = key(role="supervisor", name="Kabid BKPSDM Karo"), key(role="officer")
    steps: list[tuple[str, dict[str, Any]]] = [
        ("acknowledge", {}),
        ("status", {"status": "verified", "note": "Syarat formal dan material terpenuhi"}),
        ("status", {"status": "under_examination"}),
        ("information-requests", {"question": "Mohon kirim tautan unggahan yang masih aktif."}),
        ("status", {"status": "under_examination", "note": "Pelapor mengirim tautan"}),
        (
            "status",
            {
                "status": "recommendation_issued",
                "finding": "proven",
                "sanction_level": "sedang",
                "note": "Terbukti membagikan unggahan tim pemenangan",
            },
        ),
        ("status", {"status": "awaiting_ppk"}),
        (
            "status",
            {
                "status": "sanction_imposed",
                "sanction_level": "sedang",
                "decision_ref": "800.1.6/123/BKPSDM/2024",
            },
        ),
    ]
    for number, (action, body) in enumerate(steps, start=1):
        token = officer if number == 1 else boss
        status, answer = act(client, token, case_id, action, version=number, **body)
        assert status == 200, (action, answer)
        assert answer["version"] == number + 1
    doc = stored(case_id)
    assert doc["status"] == "sanction_imposed"
    assert doc["sanction"]["decision_ref"] == "800.1.6/123/BKPSDM/2024"
    assert doc["recommendation"]["finding"] == "proven"
    assert doc["closed_at"] >= doc["first_action_at"]
    assert doc["acknowledged_by"] == "officer 12.06"
    assert [c["visibility"] for c in doc["comments"]] == ["reporter"]
    # Every change emitted its events through the outbox, in order.
    changes = [
        (e.from_status, e.to_status)
        for env, e in events(case_id)
        if env.type == "case.status_changed"
    ]
    assert changes == [
        ("received", "received"),  # the acknowledgement
        ("received", "verified"),
        ("verified", "under_examination"),
        ("under_examination", "awaiting_info"),
        ("awaiting_info", "under_examination"),
        ("under_examination", "recommendation_issued"),
        ("recommendation_issued", "awaiting_ppk"),
        ("awaiting_ppk", "sanction_imposed"),
    ]
    assert [env.type for env, _ in events(case_id)].count("case.comment_added") == 1
    # The audit trail: one entry per change, each naming its actor, time, request and fields.
    trail = client.get(f"/v1/cases/{case_id}/audit", headers=auth(boss)).get_json()
    assert trail["intact"] is True
    assert [e["seq"] for e in trail["items"]] == list(range(1, len(steps) + 1))
    assert trail["items"][0]["actor"]["name"] == "officer 12.06"
    assert all(e["request_id"] for e in trail["items"])
    verified = trail["items"][1]
    assert {"field": "status", "before": "received", "after": "verified"} in verified["changes"]
    # The reporter sees the question, in Bahasa, with nobody's name.
    tracking = client.get(f"/v1/track/{doc['tracking_code']}").get_json()
    assert tracking["status"] == "sanction_imposed"
    assert [m["isi"] for m in tracking["pesan"]] == [
        "Mohon kirim tautan unggahan yang masih aktif."
    ]
    assert "BKPSDM" not in str(tracking)  # nobody's name reaches the reporter


# --- refused changes leave nothing behind ------------------------------------------------------


def test_an_illegal_transition_answers_409_listing_the_allowed_ones_and_stores_nothing(
    client: FlaskClient,
) -> None:
    case_id, boss = submit(client), key()
    status, answer = act(client, boss, case_id, "status", version=1, status="awaiting_ppk")
    assert status == 409
    assert answer["allowed"] == ["verified", "rejected", "awaiting_info", "duplicate", "withdrawn"]
    assert answer["current_status"] == "received"
    doc = stored(case_id)
    assert doc["status"] == "received"
    assert "version" not in doc or doc["version"] == 1
    assert audit_entries(case_id) == []
    assert [env.type for env, _ in events(case_id)] == ["case.submitted"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"status": "rejected"}, ["reason"]),
        ({"status": "withdrawn", "reason": ""}, ["reason"]),
        ({"status": "duplicate"}, ["duplicate_of"]),
        ({"status": "verified", "colour": "red"}, ["colour"]),
        ({"status": "verified", "version": "satu"}, ["version"]),
        ({"status": "menunggu"}, ["status"]),
        ({"status": "verified", "note": "x" * 4001}, ["note"]),
    ],
)
def test_changes_without_what_they_need_answer_422_naming_each_field(
    client: FlaskClient, body: dict[str, Any], fields: list[str]
) -> None:
    case_id, boss = submit(client), key()
    answer = client.post(
        f"/v1/cases/{case_id}/status", json={"version": 1, **body}, headers=auth(boss)
    )
    assert answer.status_code == 422
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in answer.get_json()["errors"]] == fields
    assert stored(case_id)["status"] == "received"
    assert audit_entries(case_id) == []


def test_a_stale_version_answers_409_and_never_overwrites(client: FlaskClient) -> None:
    case_id, boss = submit(client), key()
    assert act(client, boss, case_id, "status", version=1, status="verified")[0] == 200
    status, answer = act(
        client, boss, case_id, "status", version=1, status="rejected", reason="Bukan ASN"
    )
    assert status == 409
    assert answer["current_version"] == 2
    assert stored(case_id)["status"] == "verified"


def test_two_officers_racing_on_the_same_version_one_wins_one_is_told(
    app: Flask, client: FlaskClient
) -> None:
    case_id, boss = submit(client), key()

    def attempt(body: dict[str, Any]) -> int:
        answer = app.test_client().post(
            f"/v1/cases/{case_id}/status", json={"version": 1, **body}, headers=auth(boss)
        )
        return answer.status_code

    bodies = [
        {"status": "verified"},
        {"status": "rejected", "reason": "Terlapor bukan ASN"},
        {"status": "withdrawn", "reason": "Pelapor mencabut"},
        {"status": "verified"},
    ]
    results = at_once(*(partial(attempt, b) for b in bodies))
    assert Counter(results) == {200: 1, 409: 3}
    assert stored(case_id)["version"] == 2
    assert len(audit_entries(case_id)) == 1


def test_comments_without_a_version_all_land_and_oversized_ones_are_refused(
    client: FlaskClient,
) -> None:
    case_id, officer = submit(client), key(role="officer")
    for text in ("Sudah dihubungi", "Menunggu jawaban"):
        assert act(client, officer, case_id, "comments", text=text)[0] == 200
    status, answer = act(client, officer, case_id, "comments", text="x" * 4001)
    assert status == 422
    assert answer["errors"][0]["field"] == "text"
    status, answer = act(client, officer, case_id, "comments", text="Catatan", visibility="public")
    assert status == 422
    assert [c["text"] for c in stored(case_id)["comments"]] == [
        "Sudah dihubungi",
        "Menunggu jawaban",
    ]
    assert len(audit_entries(case_id)) == 2


# --- tenancy ---------------------------------------------------------------------------------


def test_actions_on_another_regencys_case_answer_404(client: FlaskClient) -> None:
    case_id = submit(client, region="12.06")
    stranger = key(region="12.07")
    for action, body in (
        ("status", {"version": 1, "status": "verified"}),
        ("comments", {"text": "halo"}),
        ("transfer", {"version": 1, "region_code": "12.07", "reason": "ambil alih"}),
    ):
        assert act(client, stranger, case_id, action, **body)[0] == 404
    assert client.get(f"/v1/cases/{case_id}/audit", headers=auth(stranger)).status_code == 404
    assert stored(case_id).get("version", 1) == 1


def test_roles_that_may_not_act_are_refused(client: FlaskClient) -> None:
    case_id = submit(client)
    for role in ("submitter", "auditor"):
        assert (
            act(client, key(role=role), case_id, "status", version=1, status="verified")[0] == 403
        )
    officer = key(role="officer")
    reopen = act(client, officer, case_id, "reopen", version=1, reason="alasan baru")
    assert reopen[0] == 403


# --- transfer and reopen -----------------------------------------------------------------------


def test_a_transfer_moves_the_case_keeps_its_history_and_tells_the_new_regency(
    client: FlaskClient,
) -> None:
    case_id, karo, deli = submit(client, region="12.06"), key("12.06"), key("12.07")
    status, answer = act(
        client,
        karo,
        case_id,
        "transfer",
        version=1,
        region_code="12.07",
        reason="Terlapor ASN Deli",
    )
    assert status == 200, answer
    assert answer["tenant"] == "12.07"
    assert client.get(f"/v1/cases/{case_id}", headers=auth(karo)).status_code == 404
    assert client.get(f"/v1/cases/{case_id}", headers=auth(deli)).status_code == 200
    doc = stored(case_id)
    assert [(t["from"], t["to"]) for t in doc["transfers"]] == [("12.06", "12.07")]
    envelope, event = events(case_id)[-1]
    assert envelope.type == "case.transferred"
    assert envelope.tenant == "12.07"
    assert (event.from_tenant, event.to_tenant) == ("12.06", "12.07")
    # Up to the province, then the province keeps it.
    province = key("12", "operator")
    status, answer = act(
        client, deli, case_id, "transfer", version=2, region_code="12", reason="Lintas kabupaten"
    )
    assert status == 200
    assert client.get(f"/v1/cases/{case_id}", headers=auth(province)).status_code == 200
    assert [t["to"] for t in stored(case_id)["transfers"]] == ["12.07", "12"]


@pytest.mark.parametrize(
    ("region", "code"), [("99.01", "region"), ("13.01", "tenant"), ("12.6", "region")]
)
def test_transfers_to_unknown_or_foreign_regions_are_refused(
    client: FlaskClient, region: str, code: str
) -> None:
    case_id, karo = submit(client), key("12.06")
    status, answer = act(
        client, karo, case_id, "transfer", version=1, region_code=region, reason="coba"
    )
    assert status == 422
    assert answer["errors"][0]["code"] == code
    assert stored(case_id)["tenant"] == "12.06"


def test_a_closed_case_reopens_with_a_reason_where_work_stands(client: FlaskClient) -> None:
    case_id, boss = submit(client), key()
    act(client, boss, case_id, "status", version=1, status="verified")
    act(client, boss, case_id, "status", version=2, status="withdrawn", reason="Pelapor mencabut")
    assert "closed_at" in stored(case_id)
    status, answer = act(client, boss, case_id, "status", version=3, status="verified")
    assert status == 409
    assert answer["allowed"] == ["under_examination"]
    assert act(client, boss, case_id, "reopen", version=3, reason="")[0] == 422
    status, answer = act(
        client, boss, case_id, "reopen", version=3, reason="Bukti baru dari Bawaslu"
    )
    assert status == 200
    assert answer["status"] == "under_examination"
    doc = stored(case_id)
    assert "closed_at" not in doc
    _, event = events(case_id)[-1]
    assert (event.from_status, event.to_status) == ("withdrawn", "under_examination")
    assert audit_entries(case_id)[-1]["action"] == "reopen"


def test_duplicates_are_linked_and_unlinked(client: FlaskClient) -> None:
    first, second, boss = submit(client), submit(client), key()
    assert act(client, boss, second, "duplicates", version=1, case_id=first)[0] == 200
    assert act(client, boss, second, "duplicates", version=2, case_id=first)[0] == 409
    assert act(client, boss, second, "duplicates", version=2, case_id=second)[0] == 422
    assert stored(second)["duplicates"] == [first]
    gone = client.delete(f"/v1/cases/{second}/duplicates/{first}?version=2", headers=auth(boss))
    assert gone.status_code == 200
    assert stored(second)["duplicates"] == []
    status, answer = act(
        client, boss, second, "status", version=3, status="duplicate", duplicate_of=first
    )
    assert status == 200, answer
    assert stored(second)["duplicate_of"] == first


# --- the audit chain -------------------------------------------------------------------------


def test_the_audit_chain_verifies_and_catches_a_tampered_entry(
    client: FlaskClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id, boss = submit(client), key()
    other = submit(client)
    act(client, boss, case_id, "status", version=1, status="verified")
    act(client, boss, case_id, "comments", text="Memeriksa akun Facebook terlapor")
    act(client, boss, case_id, "status", version=3, status="rejected", reason="Akun palsu")
    act(client, boss, other, "comments", text="Kasus lain")
    monkeypatch.setenv("PANTAU_MONGO_URL", settings.mongo_url)
    monkeypatch.setenv("PANTAU_DB_PREFIX", settings.db_prefix)
    get_settings.cache_clear()
    runner = CliRunner()
    good = runner.invoke(cli, ["audit", "verify"])
    assert good.exit_code == 0, good.output
    assert "intact: 2 cases, 4 entries" in good.output
    # Someone with database access softens the rejection after the fact.
    AuditEntry._get_collection().update_one(
        {"case_id": case_id, "seq": 3}, {"$set": {"changes.0.after": "verified"}}
    )
    trail = client.get(f"/v1/cases/{case_id}/audit", headers=auth(boss)).get_json()
    assert trail["intact"] is False
    assert any("entry 3" in p for p in trail["problems"])
    bad = runner.invoke(cli, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"case {case_id}: entry 3" in bad.output
    assert "TAMPERED: 1 of 2 cases" in bad.output
    # Removing the newest entry to hide it is caught by the case's head.
    AuditEntry._get_collection().delete_one({"case_id": case_id, "seq": 3})
    only = runner.invoke(cli, ["audit", "verify", "--case", case_id])
    assert only.exit_code == 1
    assert "records 3 entries, the trail holds 2" in only.output


def test_a_regions_check_reads_its_cases_trails_together_not_one_query_each(
    client: FlaskClient, settings: Settings
) -> None:
    boss = key()
    cases = [submit(client) for _ in range(6)]
    assert act(client, boss, cases[0], "status", version=1, status="verified")[0] == 200
    for case_id in cases:
        act(client, boss, case_id, "comments", text="Diperiksa")
    trail = AuditEntry._get_collection()
    before = queries_on(settings, trail)
    verdicts = audit_reads.verify_all("12.06")
    # One read for the six trails (the check of unheaded trails is an aggregation).
    assert queries_on(settings, trail) - before == 1
    assert {v.case_id: v.entries for v in verdicts} == {
        case_id: 2 if case_id == cases[0] else 1 for case_id in cases
    }
    assert all(v.intact for v in verdicts)


def test_an_anchor_kept_outside_the_database_catches_a_trail_rewritten_whole(
    client: FlaskClient, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case_id, boss = submit(client), key()
    act(client, boss, case_id, "status", version=1, status="verified")
    act(client, boss, case_id, "status", version=2, status="rejected", reason="Akun palsu")
    monkeypatch.setenv("PANTAU_MONGO_URL", settings.mongo_url)
    monkeypatch.setenv("PANTAU_DB_PREFIX", settings.db_prefix)
    get_settings.cache_clear()
    runner = CliRunner()
    anchor_file = tmp_path / "anchor.json"
    taken = runner.invoke(cli, ["audit", "anchor", "--output", str(anchor_file)])
    assert taken.exit_code == 0, taken.output
    fingerprint = hashlib.sha256(anchor_file.read_bytes()).hexdigest()
    assert f"anchored 1 cases; sha256 {fingerprint}" in taken.output
    assert json.loads(anchor_file.read_text())["heads"][0]["case_id"] == case_id
    # A change after the anchor is the trail's ordinary growth.
    act(client, boss, case_id, "comments", text="Catatan sesudah jangkar")
    later = runner.invoke(cli, ["audit", "verify", "--anchor", str(anchor_file)])
    assert later.exit_code == 0, later.output
    assert f"(sha256 {fingerprint}): 1 of 1 cases as anchored" in later.output
    # Someone with database access turns the rejection into a verification and recomputes
    # every hash after it and the case's head: the chain alone verifies again.
    trail = AuditEntry._get_collection()
    entries = list(trail.find({"case_id": case_id}).sort("seq", 1))
    entries[1]["changes"] = [
        {**c, "after": "verified"} if c["field"] == "status" else c for c in entries[1]["changes"]
    ]
    prev = entries[0]["hash"]
    for entry in entries[1:]:
        entry["prev"] = prev
        entry["hash"] = audit.digest(entry)
        trail.replace_one({"_id": entry["_id"]}, entry)
        prev = entry["hash"]
    Case._get_collection().update_one(
        {"_id": ObjectId(case_id)}, {"$set": {"audit_head.hash": prev}}
    )
    alone = runner.invoke(cli, ["audit", "verify"])
    assert alone.exit_code == 0, alone.output
    caught = runner.invoke(cli, ["audit", "verify", "--anchor", str(anchor_file)])
    assert caught.exit_code == 1
    assert f"case {case_id}: entry 2 is not the one anchored" in caught.output
    assert "TAMPERED since the anchor: 1 cases" in caught.output
    # A file that is no anchor is refused before anything is read.
    (tmp_path / "other.json").write_text("{}")
    refused = runner.invoke(cli, ["audit", "verify", "--anchor", str(tmp_path / "other.json")])
    assert refused.exit_code == 2
    assert "not an audit anchor" in refused.output


def test_a_trail_left_without_its_case_or_its_head_is_named(
    client: FlaskClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    karo = key("12.06")
    deleted, beheaded, moved = submit(client), submit(client), submit(client)
    for case_id in (deleted, beheaded):
        act(client, karo, case_id, "status", version=1, status="verified")
    status, _ = act(
        client, karo, moved, "transfer", version=1, region_code="12.07", reason="Terlapor ASN Deli"
    )
    assert status == 200
    monkeypatch.setenv("PANTAU_MONGO_URL", settings.mongo_url)
    monkeypatch.setenv("PANTAU_DB_PREFIX", settings.db_prefix)
    get_settings.cache_clear()
    runner = CliRunner()
    # The case moved to Deli Serdang is checked with Deli's cases, not taken for a lost one.
    karo_only = runner.invoke(cli, ["audit", "verify", "--region", "12.06"])
    assert karo_only.exit_code == 0, karo_only.output
    assert "intact: 2 cases" in karo_only.output
    # Someone hides two cases: one's document deleted, the other's head removed.
    Case._get_collection().delete_one({"_id": ObjectId(deleted)})
    Case._get_collection().update_one({"_id": ObjectId(beheaded)}, {"$unset": {"audit_head": 1}})
    caught = runner.invoke(cli, ["audit", "verify", "--region", "12.06"])
    assert caught.exit_code == 1
    assert f"case {deleted}: the case's document is gone; its trail holds 1 entries" in (
        caught.output
    )
    assert f"case {beheaded}: the case records 0 entries, the trail holds 1" in caught.output
    assert "TAMPERED: 2 of 2 cases" in caught.output


def test_no_api_edits_or_deletes_audit_entries(app: Flask) -> None:
    rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert rules
    assert all((r.methods or set()) <= {"GET", "HEAD", "OPTIONS"} for r in rules)


# --- reassignment ------------------------------------------------------------------------------


def officer(officer_id: str, region: str = "12.06", **more: Any) -> None:
    directory.create(
        OfficerCreate.model_validate(
            {
                "officer_id": officer_id,
                "region": region,
                "unit": "INSPEKTORAT",
                "name": officer_id.replace("-", " ").title(),
                "email": f"{officer_id}@karo.example",
                **more,
            }
        ),
        actor={"name": "test"},
    )


def test_a_supervisor_reassigns_to_a_directory_officer_unless_they_declared_a_conflict(
    client: FlaskClient,
) -> None:
    case_id, boss = submit(client), key()
    officer("karo-insp-7")
    officer("karo-insp-8", conflicts=["198609262015051001"])  # the accused's NIP
    officer("deli-insp-1", region="12.07")
    status, answer = act(
        client, boss, case_id, "reassign", version=1, officer_id="karo-insp-8", reason="beban"
    )
    assert status == 422
    assert answer["errors"][0]["code"] == "conflict"
    # Another regency's officer: unknown to Karo's supervisor (no probing of other regencies),
    # and refused for the province's operator, who sees both, because the case is Karo's.
    status, answer = act(
        client, boss, case_id, "reassign", version=1, officer_id="deli-insp-1", reason="beban"
    )
    assert (status, answer["errors"][0]["code"]) == (422, "unknown")
    operator = key("12", "operator")
    status, answer = act(
        client, operator, case_id, "reassign", version=1, officer_id="deli-insp-1", reason="x y"
    )
    assert (status, answer["errors"][0]["code"]) == (422, "tenant")
    status, answer = act(
        client, boss, case_id, "reassign", version=1, officer_id="nobody-1", reason="beban"
    )
    assert (status, answer["errors"][0]["code"]) == (422, "unknown")
    status, answer = act(
        client, boss, case_id, "reassign", version=1, officer_id="karo-insp-7", reason="Cuti"
    )
    assert status == 200, answer
    assert answer["triage"]["assignee"] == {"officer_id": "karo-insp-7", "name": "Karo Insp 7"}
    envelope, event = events(case_id)[-1]
    assert envelope.type == "case.reassigned"
    assert event.assignee.email == "karo-insp-7@karo.example"
    assert event.reason == "Cuti"
    last = audit_entries(case_id)[-1]
    assert last["action"] == "reassigned"
    assert {
        "field": "triage.assignee",
        "before": None,
        "after": {"officer_id": "karo-insp-7", "name": "Karo Insp 7"},
    } in last["changes"]
    # An officer whose key names them acts on their own cases only.
    own = create_key(name="Insp 7", region="12.06", role="officer", officer_id="karo-insp-7")[0]
    other = create_key(name="Insp 9", region="12.06", role="officer", officer_id="karo-insp-8")[0]
    assert act(client, other, case_id, "acknowledge", version=2)[0] == 403
    assert act(client, own, case_id, "acknowledge", version=2)[0] == 200
