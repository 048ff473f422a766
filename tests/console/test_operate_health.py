"""The health page: every part with its verdict; a stopped worker and a stopped service are
named while the rest stay ok, and the page still answers."""

from __future__ import annotations

import requests

from tests.console.operate_people import signed_in, verdicts
from tests.support.pages import text
from tests.support.suite import Suite
from tests.support.waiting import eventually

SERVICES = ("intake", "triage", "notify")


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_the_health_page_names_what_is_down_and_keeps_the_rest_ok(console_suite: Suite) -> None:
    operator = signed_in(console_suite, "operate-health-operator", role="operator")
    page = operator.get("/operator")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    found = verdicts(page.text)
    assert found[("console", "database")] == "ok"
    for service in SERVICES:
        for part in ("api", "worker", "outbox"):
            assert found[(service, part)] == "ok", (service, part, text(page))
    assert "Periksa lagi" in text(page)

    triage_worker = console_suite.children["triage-worker"]
    notify_http = console_suite.children["notify-http"]
    try:
        triage_worker.stop()
        notify_http.stop()
        triage_worker.wait(20)
        notify_http.wait(20)
        page = operator.get("/operator")
        assert page.status_code == 200
        found = verdicts(page.text)
        words = text(page)
        assert found[("triage", "worker")] == "failing"
        assert "Tidak ada pekerja yang mengambil antrean" in words
        assert "Jalankan lagi pekerja Triase" in words
        assert found[("notify", "api")] == "unreachable"
        assert found[("notify", "outbox")] == "unreachable"
        assert "Periksa apakah proses Notifikasi berjalan" in words
        # Everything else is judged on its own and stays ok.
        assert found[("notify", "worker")] == "ok"
        assert found[("triage", "api")] == "ok"
        assert found[("triage", "outbox")] == "ok"
        assert {found[("intake", part)] for part in ("api", "worker", "outbox")} == {"ok"}
        assert "Traceback" not in page.text
    finally:
        if not triage_worker.alive():
            console_suite.restart("triage-worker")
        if not notify_http.alive():
            console_suite.restart("notify-http")
        eventually(lambda: _ready(console_suite.urls["notify"]), timeout=60)
        eventually(lambda: _ready(console_suite.worker_urls["triage"]), timeout=60)
    healed = verdicts(operator.get("/operator").text)
    assert healed[("triage", "worker")] == "ok"
    assert healed[("notify", "api")] == "ok"
