"""Officers work a case through the running suite: every change travels the real broker, so
triage's clock pauses, resumes, stops and restarts with the case, and a transfer reaches the
new regency's officer by e-mail."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from services.cli.demo import DEMO_CASES, run_demo
from shared.settings import get_settings
from tests.support.builders import case_payload, plain_text
from tests.support.suite import Suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


def _act(suite: Suite, key: str, case_id: str, action: str, **body: Any) -> dict[str, Any]:
    answer = requests.post(
        f"{suite.urls['intake']}/v1/cases/{case_id}/{action}",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _triage(suite: Suite, key: str, case_id: str) -> dict[str, Any] | None:
    answer = requests.get(
        f"{suite.urls['triage']}/v1/cases/{case_id}/triage",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    return answer.json() if answer.status_code == 200 else None


def test_pause_resume_transfer_close_and_reopen_move_the_statutory_clock(suite: Suite) -> None:
    kukar, kutim = suite.key("64.02", "supervisor"), suite.key("64.08", "supervisor")
    created = suite.submit(
        suite.key("64.02"),
        case_payload(
            source_ref="e2e-lifecycle",
            title="Lurah di Tenggarong mengunggah foto bersama paslon di Instagram",
            location={"text": "Tenggarong", "district": "Tenggarong"},
        ),
    )
    case_id, code = created["id"], created["tracking_code"]
    first = eventually(lambda: _triage(suite, kukar, case_id), timeout=60)
    assert first["clock"]["paused"] is False
    case = eventually(
        lambda: (c := suite.case(kukar, case_id))["triage"].get("assignee") and c, timeout=60
    )
    version = case.get("version", 1)

    # Acknowledge and verify: the verification stage ends, the answer stage begins.
    version = _act(suite, kukar, case_id, "acknowledge", version=version)["version"]
    version = _act(suite, kukar, case_id, "status", version=version, status="verified")["version"]
    verified = eventually(
        lambda: (t := _triage(suite, kukar, case_id)) and t["status"] == "verified" and t,
        timeout=60,
    )
    assert verified["assignment"]["acknowledged_at"]
    assert len(verified["past_clocks"]) == 1
    assert verified["clock"]["stage"] != first["clock"]["stage"]

    # Asking the reporter for more pauses the clock; the answer resumes it.
    version = _act(suite, kukar, case_id, "status", version=version, status="under_examination")[
        "version"
    ]
    version = _act(
        suite,
        kukar,
        case_id,
        "information-requests",
        version=version,
        question="Mohon kirim tautan unggahan Instagram yang dimaksud.",
    )["version"]
    eventually(lambda: (t := _triage(suite, kukar, case_id)) and t["clock"]["paused"], timeout=60)
    version = _act(suite, kukar, case_id, "status", version=version, status="under_examination")[
        "version"
    ]
    resumed = eventually(
        lambda: (
            (t := _triage(suite, kukar, case_id))
            and t["status"] == "under_examination"
            and not t["clock"]["paused"]
            and t
        ),
        timeout=60,
    )
    kinds = [event["kind"] for event in resumed["clock"]["history"]]
    assert "paused" in kinds
    assert "resumed" in kinds

    # Transfer to Kutai Timur: triage routes it there and notify mails that regency's officer.
    mails_before = len(suite.mail.messages)
    version = _act(
        suite,
        kukar,
        case_id,
        "transfer",
        version=version,
        region_code="64.08",
        reason="Terlapor bertugas di Kutai Timur",
    )["version"]
    moved = eventually(
        lambda: (t := _triage(suite, kutim, case_id)) and t["region_code"] == "64.08" and t,
        timeout=60,
    )
    assert moved["assignment"]["officer_id"].startswith("kutim-")
    mail = eventually(
        lambda: next(
            (
                m
                for m in suite.mail.messages[mails_before:]
                if code in plain_text(m) and str(m["To"]).endswith("@kutim.example")
            ),
            None,
        ),
        timeout=60,
    )
    # Kutai Timur's officers read Bahasa Indonesia or English (the roster says which).
    assert any(s in str(mail["Subject"]) for s in ("Kasus baru untuk Anda", "New case for you"))
    assert _triage(suite, kukar, case_id) is None  # Kukar no longer sees it

    # Withdrawn: the clock stops. Reopened: a fresh clock runs again.
    version = _act(
        suite, kutim, case_id, "status", version=version, status="withdrawn", reason="Dicabut"
    )["version"]
    eventually(
        lambda: (t := _triage(suite, kutim, case_id)) and t["open"] is False and t, timeout=60
    )
    _act(suite, kutim, case_id, "reopen", version=version, reason="Bukti baru dari Bawaslu")
    reopened = eventually(
        lambda: (t := _triage(suite, kutim, case_id)) and t["open"] and t, timeout=60
    )
    assert reopened["clock"]["stopped"] is False
    assert reopened["status"] == "under_examination"

    trail = requests.get(
        f"{suite.urls['intake']}/v1/cases/{case_id}/audit",
        headers={"Authorization": f"Bearer {kutim}"},
        timeout=10,
    ).json()
    assert trail["intact"] is True
    assert [e["action"] for e in trail["items"]] == [
        "acknowledged",
        "status_changed",
        "status_changed",
        "information_requested",
        "status_changed",
        "transferred",
        "status_changed",
        "reopen",
    ]


def test_the_demo_files_cases_alerts_officers_and_works_one(
    suite: Suite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PANTAU_MONGO_URL", suite.settings.mongo_url)
    monkeypatch.setenv("PANTAU_DB_PREFIX", suite.settings.db_prefix)
    get_settings.cache_clear()
    try:
        run_demo(suite.urls["intake"], str(suite.home / "mail"), timeout=60)
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert f"Submitting {len(DEMO_CASES)} demo cases" in out
    assert "refused" not in out
    assert "e-mail(s) arrived" in out
    assert "0 e-mail(s) arrived" not in out
    assert "status verified, version 3" in out
    assert "hash chain intact" in out

    # A second run (make run again on the same data) files nothing twice: the same kept keys
    # find their cases already filed; no reference is refused as another system's.
    get_settings.cache_clear()
    try:
        again = run_demo(suite.urls["intake"], str(suite.home / "mail"), timeout=60)
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "refused" not in out
    assert out.count("already filed") == len(DEMO_CASES)
    assert "filed by an earlier run" in out
    assert again is not None
