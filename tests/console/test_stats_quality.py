"""The statistics page's table of triage's agreement with officers, against the running
suite: a case verified through intake confirms its proposal, an override labels another, and
a supervisor reads precision and recall per category; an auditor's page has no such table."""

from __future__ import annotations

import html
import re
from typing import Any

import requests

from shared.categories import category_label
from tests.console.stats_pages import sign_in_overseer, submit_reports
from tests.support.pages import text
from tests.support.suite import Suite
from tests.support.waiting import eventually

# A regency no other console test files cases in.
REGION = "17.05"
_TABLE = re.compile(r'<section class="quality" id="mutu-triase".*?</section>', re.S)
_ROW = re.compile(r'<tr><th scope="row">(?P<label>.*?)</th>(?P<cells>.*?)</tr>', re.S)
_CELL = re.compile(r'<td class="num">(.*?)</td>', re.S)


def quality_rows(page: str) -> dict[str, tuple[str, ...]]:
    section = _TABLE.search(page)
    assert section is not None, "no quality table on the page"
    return {
        html.unescape(row.group("label")).strip(): tuple(
            html.unescape(c).strip() for c in _CELL.findall(row.group("cells"))
        )
        for row in _ROW.finditer(section.group(0))
    }


def _call(suite: Suite, method: str, url: str, key: str, body: Any = None) -> Any:
    answer = requests.request(
        method, url, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert answer.status_code < 300, answer.text
    return answer.json()


def test_a_supervisor_reads_precision_and_recall_of_the_labelled_cases(
    console_suite: Suite,
) -> None:
    filed = submit_reports(console_suite, REGION, "mutu", 2)
    manager = console_suite.key(region=REGION, role="supervisor")
    triage = console_suite.urls["triage"]

    def proposal(case_id: str) -> str | None:
        answer = requests.get(
            f"{triage}/v1/cases/{case_id}/triage",
            headers={"Authorization": f"Bearer {manager}"},
            timeout=10,
        )
        return answer.json()["decision"]["category"] if answer.status_code == 200 else None

    first = eventually(lambda: proposal(filed[0]["id"]), timeout=60)
    second = eventually(lambda: proposal(filed[1]["id"]), timeout=60)
    # The first is verified as proposed (through intake, reaching triage as an event)...
    version = console_suite.case(manager, filed[0]["id"])["version"]
    _call(
        console_suite,
        "POST",
        f"{console_suite.urls['intake']}/v1/cases/{filed[0]['id']}/status",
        manager,
        {"version": version, "status": "verified"},
    )
    # ...the second is given another category by the supervisor.
    other = "SARA" if second != "SARA" else "HOAKS"
    _call(
        console_suite,
        "POST",
        f"{triage}/v1/cases/{filed[1]['id']}/triage/override",
        manager,
        {"category": other, "reason": "Isi laporan menyerang suku tertentu."},
    )
    eventually(
        lambda: (
            _call(console_suite, "GET", f"{triage}/v1/triage/quality?days=30", manager)["examples"]
            == 2
            or None
        ),
        timeout=60,
    )

    person = sign_in_overseer(console_suite, "mutu-supervisor-1", region=REGION, role="supervisor")
    page = person.get("/statistik")
    assert page.status_code == 200, text(page)
    rows = quality_rows(page.text)
    assert "Dari 2 kasus" in page.text
    if first == second:
        # One proposal kept, one changed: half the proposals kept, every case of it found.
        assert rows[category_label(first)] == ("50%", "100%", "50%", "100%")
    else:
        assert rows[category_label(first)] == ("100%", "100%", "100%", "100%")
        assert rows[category_label(second)] == ("0%", "–", "0%", "–")
    assert rows[category_label(other)] == ("–", "0%", "–", "0%")
    english = person.get("/statistik?lang=en")
    assert "Accuracy of triage&#39;s proposals" in english.text or (
        "Accuracy of triage's proposals" in english.text
    )

    auditor = sign_in_overseer(console_suite, "mutu-auditor-1", region=REGION, role="auditor")
    page = auditor.get("/statistik")
    assert page.status_code == 200
    assert "mutu-triase" not in page.text
