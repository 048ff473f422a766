"""An officer on a phone works a case from the alert e-mail to a recommendation, in Debian's
Chromium, with JavaScript and without it."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import phone_context
from tests.support.alerted import alerted_case
from tests.support.suite import Suite
from tests.support.waiting import eventually

PASSWORD = "jembatan kayu di sungai deras"


def _work_the_case(page: Page, suite: Suite, marker: str) -> tuple[str, str]:
    """The whole journey; the case id and the officer id."""
    alerted = alerted_case(suite, marker)

    # The alert's link first: not signed in yet, so the sign-in page, which keeps the case.
    page.goto(alerted.link)
    expect(page.get_by_role("heading", name="Masuk ke Pantau")).to_be_visible()

    # The invitation (as `pantau officers invite` prints it) in the same browser.
    page.goto(suite.invitation(alerted.officer_id))
    expect(page.get_by_role("heading", level=1)).to_contain_text(alerted.officer_name)
    page.get_by_label("Kata sandi baru", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi baru").fill(PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi dan masuk").click()

    # Straight to the case the alert named.
    expect(page).to_have_url(alerted.link)
    expect(page.get_by_role("heading", level=1)).to_contain_text(marker)
    expect(page.get_by_text("Tenggat:")).to_be_visible()

    page.get_by_role("button", name="Terima kasus (hentikan pengingat)").click()
    expect(page.get_by_role("status").first).to_contain_text("sudah diterima")

    _move(page, "Terverifikasi", {"Catatan (opsional)": "Syarat formal dan material lengkap."})
    _move(page, "Dalam pemeriksaan", {"Catatan (opsional)": "Terlapor dipanggil."})
    _move(
        page,
        "Rekomendasi terbit",
        {"Catatan (opsional)": "Terbukti mengunggah dan mengajak guru."},
        finding="Terbukti",
        sanction="berat",
    )
    expect(page.get_by_text("Rekomendasi terbit").first).to_be_visible()
    return alerted.case_id, alerted.officer_id


def _move(
    page: Page,
    target: str,
    typed: dict[str, str],
    *,
    finding: str | None = None,
    sanction: str | None = None,
) -> None:
    """Open the form of the next status, fill it as a person would, and save."""
    form = page.locator("details", has_text=f"Ubah status ke: {target}")
    form.locator("summary").click()
    for label, value in typed.items():
        form.get_by_label(label).fill(value)
    if finding:
        form.get_by_label(finding, exact=True).check()
    if sanction:
        form.get_by_label("Tingkat sanksi").select_option(sanction)
    form.get_by_role("button", name=f"Simpan: {target}").click()
    expect(page.get_by_role("status").first).to_contain_text("Status kasus diubah")


def _check_the_services_saw_the_officer(suite: Suite, case_id: str, officer_id: str) -> None:
    supervisor = suite.key("12.06", "supervisor")
    headers = {"Authorization": f"Bearer {supervisor}"}
    assert suite.case(supervisor, case_id)["status"] == "recommendation_issued"
    trail = requests.get(
        f"{suite.urls['intake']}/v1/cases/{case_id}/audit", headers=headers, timeout=10
    ).json()
    assert trail["intact"] is True
    actions = [e["action"] for e in trail["items"] if e["actor"].get("officer_id") == officer_id]
    assert actions[0] == "acknowledged"
    assert len(actions) == 4

    def clock() -> Any:
        answer = requests.get(
            f"{suite.urls['triage']}/v1/cases/{case_id}/triage", headers=headers, timeout=10
        ).json()
        # A recommendation starts the closure clock: triage followed the officer's change.
        return answer["clock"]["stage"] != "verification" and answer["clock"]["stage"]

    assert eventually(clock, timeout=30)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_an_officer_works_the_case_from_the_alert_to_a_recommendation_on_a_phone(
    browser: Browser, browser_suite: Suite, javascript: bool
) -> None:
    context = phone_context(browser, javascript=javascript)
    page = context.new_page()
    try:
        marker = "Pelita" if javascript else "Cendana"
        case_id, officer_id = _work_the_case(page, browser_suite, marker)
        _check_the_services_saw_the_officer(browser_suite, case_id, officer_id)
    finally:
        context.close()
