"""A case crosses all three services through the real broker and database and ends as mail."""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from tests.support.builders import case_payload, plain_text
from tests.support.suite import Suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


def _mails_for(suite: Suite, tracking_code: str) -> list[str]:
    return [
        m["X-Pantau-Notification"] for m in suite.mail.messages if tracking_code in plain_text(m)
    ]


def test_submitted_case_reaches_the_officer_by_email(suite: Suite) -> None:
    key, reader = suite.key("12.06"), suite.key("12.06", "supervisor")
    created = suite.submit(key, case_payload(source="monitoring", source_ref="e2e-first"))
    code = created["tracking_code"]

    mails = eventually(lambda: [m for m in suite.mail.messages if code in m.as_string()])
    mail = mails[0]
    assert mail["To"] == "joni.sitepu@karo.example" or mail["To"].endswith("@karo.example")
    text = plain_text(mail)
    assert "MEDSOS" in text
    assert code in text
    assert f"/kasus/{created['id']}" in text  # the case's page in the console
    assert "Kasus baru untuk Anda" in mail["Subject"]

    def timeline_complete() -> dict[str, object] | None:
        case = suite.case(reader, created["id"])
        kinds = [entry["kind"] for entry in case["timeline"]]
        if {"submitted", "triaged", "assigned", "notified"} <= set(kinds):
            return case
        return None

    case = eventually(timeline_complete)
    assert case["triage"]["category"] == "MEDSOS"
    assert case["triage"]["assignee"]["officer_id"].startswith("karo-")
    assert case["triage"]["due_at"]
    assert case["triage"]["explanation"]
    kinds = [entry["kind"] for entry in case["timeline"]]
    assert kinds.count("notified") == 1


def test_killed_worker_loses_no_case_and_sends_each_alert_once(suite: Suite) -> None:
    key = suite.key("64.08")
    triage = suite.children["triage-worker"]
    triage.kill()
    # Twelve different events (own places, people and evidence), so triage alerts each one;
    # the same report twelve times would rightly be one alert.
    places = [
        "Sangatta",
        "Bengalon",
        "Kaliorang",
        "Muara Wahau",
        "Rantau Pulung",
        "Telen",
        "Kongbeng",
        "Sandaran",
        "Karangan",
        "Kaubun",
        "Batu Ampar",
        "Long Mesangat",
    ]
    codes = [
        suite.submit(
            key,
            case_payload(
                title=f"Kepala seksi di {place} mengajak pegawai memilih paslon",
                description=(
                    f"Dalam rapat kantor kecamatan {place} tanggal {10 + i} November, seorang "
                    f"kepala seksi bernama Pegawai {place} mengarahkan seluruh staf agar "
                    "mencoblos nomor urut 1 dan membagikan stiker paslon."
                ),
                location={"text": place},
                accused=[{"name": f"Pegawai {place}", "employment_type": "PPPK"}],
                evidence_urls=[f"https://www.instagram.com/p/kutim{i:03d}/"],
            ),
        )["tracking_code"]
        for i, place in enumerate(places)
    ]
    # Nothing can be triaged while the worker is down; then it comes back.
    suite.restart("triage-worker")
    # Kill notify mid-stream too, then restart it.
    eventually(lambda: any(c in m.as_string() for c in codes for m in suite.mail.messages))
    notify = suite.children["notify-worker"]
    notify.process.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
    notify.process.wait(10)  # type: ignore[union-attr]
    suite.restart("notify-worker")

    def all_delivered() -> bool:
        return all(_mails_for(suite, c) for c in codes)

    eventually(all_delivered, timeout=90)
    per_key = Counter(k for c in codes for k in _mails_for(suite, c))
    assert len(per_key) == len(codes)
    # SMTP has no idempotent send: if the kill lands after the server accepted a mail and
    # before the ledger marked it, that one alert goes out again with the same Message-ID
    # (mail clients show it once). Every other alert must arrive exactly once.
    repeated = {k: n for k, n in per_key.items() if n > 1}
    assert len(repeated) <= 1, per_key
    assert all(n == 2 for n in repeated.values()), per_key


def test_health_and_metrics_of_every_http_service(suite: Suite) -> None:
    import requests

    for service, url in suite.urls.items():
        assert requests.get(f"{url}/healthz", timeout=5).json()["status"] == "ok"
        ready = requests.get(f"{url}/readyz", timeout=5)
        assert ready.status_code == 200, (service, ready.text)
        metrics = requests.get(f"{url}/metrics", timeout=5).text
        assert "pantau_http_requests_total" in metrics
        assert f'service="{service}"' in metrics


def test_officer_reads_triage_and_deliveries_with_an_intake_key(suite: Suite) -> None:
    """Triage and notify check the caller's key with the real intake, across processes."""
    import requests

    submitter = suite.key("19.02")
    created = suite.submit(
        submitter,
        case_payload(
            title="Mobil dinas plat merah mengangkut baliho paslon",
            description="Mobil dinas berpelat merah Dinas PUPR Belitung mengangkut baliho "
            "dan spanduk pasangan calon pada jam dinas di Tanjung Pandan.",
            evidence_urls=["https://www.facebook.com/photo/?fbid=190200001"],
        ),
    )
    officer = {"Authorization": f"Bearer {suite.key('19.02', 'officer')}"}
    stranger = {"Authorization": f"Bearer {suite.key('17.71', 'officer')}"}

    def triage_answer() -> dict[str, object] | None:
        answer = requests.get(
            f"{suite.urls['triage']}/v1/cases/{created['id']}/triage", headers=officer, timeout=5
        )
        return answer.json() if answer.status_code == 200 else None

    decision = eventually(triage_answer)
    assert "FASILITAS" in str(decision)
    other = requests.get(
        f"{suite.urls['triage']}/v1/cases/{created['id']}/triage", headers=stranger, timeout=5
    )
    assert other.status_code == 404
    unknown = requests.get(
        f"{suite.urls['triage']}/v1/cases/{created['id']}/triage",
        headers={"Authorization": "Bearer pnt_nobody_nothing"},
        timeout=5,
    )
    assert unknown.status_code == 401

    def deliveries() -> list[object] | None:
        answer = requests.get(
            f"{suite.urls['notify']}/v1/cases/{created['id']}/deliveries",
            headers=officer,
            timeout=5,
        )
        if answer.status_code != 200:
            return None
        body = answer.json()
        items = body.get("items", body) if isinstance(body, dict) else body
        return items or None

    history = eventually(deliveries)
    assert "email" in str(history)


def test_an_offices_request_id_follows_the_case_into_the_email(suite: Suite) -> None:
    import uuid

    import requests

    request_id = f"kantor-{uuid.uuid4().hex[:12]}"
    answer = requests.post(
        f"{suite.urls['intake']}/v1/cases",
        json=case_payload(
            title="Lurah memasang baliho paslon di kantor kelurahan",
            description="Baliho pasangan calon dipasang di halaman kantor kelurahan oleh lurah "
            "setempat, terlihat jelas dari jalan utama Tenggarong.",
            evidence_urls=["https://www.tiktok.com/@warga/video/640200011"],
        ),
        headers={"Authorization": f"Bearer {suite.key('64.02')}", "X-Request-ID": request_id},
        timeout=10,
    )
    assert answer.status_code == 201
    assert answer.headers["X-Request-ID"] == request_id
    code = answer.json()["tracking_code"]
    mail = eventually(lambda: next((m for m in suite.mail.messages if code in m.as_string()), None))
    assert mail["X-Correlation-ID"] == request_id
    assert request_id in suite.log("intake-http")
