"""A CSV export from the statistics page: asked for, followed to done, downloaded through
the console with the rows the figures counted."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from services.intake.access import sessions
from services.intake.exports import jobs as export_jobs
from services.intake.exports.jobs import ExportRequest
from shared.auth import Principal
from tests.console.stats_pages import key_figures, sign_in_overseer, submit_reports
from tests.support.pages import text
from tests.support.suite import Suite
from tests.support.waiting import eventually

REGENCY = "17.08"


def test_an_export_runs_to_done_and_downloads_the_counted_cases(console_suite: Suite) -> None:
    filed = submit_reports(console_suite, REGENCY, "ekspor", 3)
    person = sign_in_overseer(console_suite, "stats-export-1", region=REGENCY, role="supervisor")
    page = person.get("/statistik")
    assert key_figures(page.text)["Kasus masuk"] == "3"
    assert 'action="/statistik/ekspor"' in page.text

    started = person.post("/statistik/ekspor", {"period": "90"})
    assert started.status_code == 200, text(started)
    found = re.search(r"/statistik/ekspor/([0-9a-f]{24})$", started.url)
    assert found, started.url
    export_id = found.group(1)
    assert "Ekspor CSV" in text(started)
    assert 'data-export-status="/statistik/ekspor/' in started.text

    def done() -> bool:
        status = person.get(f"/statistik/ekspor/{export_id}/status").json()
        return bool(status["done"])

    eventually(done, timeout=60)
    finished = person.get(f"/statistik/ekspor/{export_id}")
    assert "Siap diunduh" in text(finished)
    assert "3 baris siap diunduh" in text(finished)
    assert 'value="100.0"' in finished.text
    assert "export-progress.js" not in finished.text  # nothing left to follow

    download = person.get(f"/statistik/ekspor/{export_id}/unduh")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert {row["title"] for row in rows} == {case["title"] for case in filed}
    assert {row["tenant"] for row in rows} == {REGENCY}


def _running_job(region: str, key_prefix: str, *, written: int, total: int) -> str:
    """An export that intake's worker is busy with elsewhere (its lease runs for an hour, so
    this suite's worker leaves it alone): the page shows it as it would any running one."""
    now = datetime.now(UTC)
    job = export_jobs.new_job(
        ExportRequest(),
        Principal(key_prefix, "tests", region, "supervisor"),
        now=now,
        total=total,
        ttl=timedelta(hours=1),
        request_id=None,
    )
    job.update(
        status="running",
        rows_written=written,
        started_at=now,
        lease_owner="another-worker",
        lease_until=now + timedelta(hours=1),
    )
    export_jobs.jobs().insert_one(job)
    return str(job["_id"])


def _session_prefix(officer_id: str) -> str:
    found = sessions.collection().find_one({"officer_id": officer_id}, sort=[("created_at", -1)])
    assert found is not None, officer_id
    return str(found["_id"])


def test_a_running_export_shows_its_progress_and_a_refresh_link(console_suite: Suite) -> None:
    person = sign_in_overseer(console_suite, "stats-export-2", region=REGENCY, role="supervisor")
    export_id = _running_job(REGENCY, _session_prefix("stats-export-2"), written=10, total=40)

    page = person.get(f"/statistik/ekspor/{export_id}")
    assert page.status_code == 200
    assert "Sedang ditulis" in text(page)
    assert "10 dari 40 baris ditulis (25%)" in text(page)
    assert '<progress class="bar" max="100" value="25.0"' in page.text
    assert f'href="/statistik/ekspor/{export_id}">Perbarui</a>' in page.text
    assert "/static/js/export-progress.js" in page.text
    assert "Unduh berkas CSV" not in text(page)
    status = person.get(f"/statistik/ekspor/{export_id}/status")
    assert status.headers["Content-Type"].startswith("application/json")
    assert status.headers["Cache-Control"] == "no-store"
    body = status.json()
    assert (body["status"], body["percent"], body["active"]) == ("running", 25.0, True)
    # Not done: the download address leads back to the progress page.
    early = person.get(f"/statistik/ekspor/{export_id}/unduh", allow_redirects=False)
    assert early.status_code == 302
    assert early.headers["Location"].endswith(f"/statistik/ekspor/{export_id}")


def test_too_many_exports_under_way_are_refused_naming_the_limit(console_suite: Suite) -> None:
    person = sign_in_overseer(console_suite, "stats-export-4", region=REGENCY, role="supervisor")
    prefix = _session_prefix("stats-export-4")
    for _ in range(3):  # the suite's PANTAU_EXPORT_MAX_ACTIVE_PER_KEY
        _running_job(REGENCY, prefix, written=0, total=5)
    person.get("/statistik?period=30")
    refused = person.post("/statistik/ekspor", {"period": "30"})
    assert refused.status_code == 429
    assert "Berkas CSV belum dapat dibuat" in text(refused)
    assert "sudah punya 3 ekspor yang sedang dibuat" in text(refused)
    # The page around the message is the same statistics page, filters kept.
    assert 'name="period" value="30"' in refused.text
    assert "Kasus masuk" in text(refused)


def test_another_persons_or_a_missing_export_is_not_found(console_suite: Suite) -> None:
    person = sign_in_overseer(console_suite, "stats-export-3", region=REGENCY, role="supervisor")
    assert person.get("/statistik/ekspor/0123456789abcdef01234567").status_code == 404
    assert person.get("/statistik/ekspor/..%2Fcases").status_code == 404
    assert person.get("/statistik/ekspor/0123456789abcdef01234567/unduh").status_code == 404
