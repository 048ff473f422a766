"""What the browser shows when two people change one case at once, and when someone opens
another regency's case: the change made on a stale version is not applied, shows what
changed meanwhile and keeps what was typed; another regency's case is the same 404 page as a
case that does not exist."""

from __future__ import annotations

import requests
from playwright.sync_api import Browser, expect

from tests.browser.conftest import phone_context
from tests.browser.signing_in import sign_in
from tests.support.alerted import alerted_case
from tests.support.builders import case_payload
from tests.support.suite import Suite

REASON = "Terlapor ternyata bukan ASN; bukan wewenang kami."


def test_a_change_on_a_stale_version_shows_what_changed_and_keeps_the_reason(
    browser: Browser, browser_suite: Suite
) -> None:
    suite = browser_suite
    alerted = alerted_case(suite, "Anggrek")
    context = phone_context(browser)
    page = context.new_page()
    try:
        sign_in(page, suite, alerted.officer_id, name=alerted.officer_name)
        page.goto(f"{suite.urls['console']}/kasus/{alerted.case_id}")
        form = page.locator("details", has_text="Ubah status ke: Ditolak")
        form.locator("summary").click()
        form.get_by_label("Alasan").fill(REASON)

        # Meanwhile a supervisor acknowledges the case through the API.
        supervisor = suite.key("12.06", "supervisor")
        version = suite.case(supervisor, alerted.case_id)["version"]
        acknowledged = requests.post(
            f"{suite.urls['intake']}/v1/cases/{alerted.case_id}/acknowledge",
            json={"version": version},
            headers={"Authorization": f"Bearer {supervisor}"},
            timeout=10,
        )
        assert acknowledged.status_code == 200, acknowledged.text

        form.get_by_role("button", name="Simpan: Ditolak").click()
        expect(
            page.get_by_role("heading", name="Kasus berubah saat Anda membacanya")
        ).to_be_visible()
        kept = page.locator("details[open]", has_text="Ubah status ke: Ditolak")
        expect(kept.get_by_label("Alasan")).to_have_value(REASON)
        assert suite.case(supervisor, alerted.case_id)["status"] == "received"

        kept.get_by_role("button", name="Simpan: Ditolak").click()
        expect(page.get_by_role("status").first).to_contain_text("Status kasus diubah")
        assert suite.case(supervisor, alerted.case_id)["status"] == "rejected"
    finally:
        context.close()


def test_another_regencys_case_is_the_same_page_as_no_case(
    browser: Browser, browser_suite: Suite
) -> None:
    suite = browser_suite
    theirs = suite.submit(
        suite.key("64.08", "submitter"),
        case_payload(title="Kepala dinas Kutai Timur memasang baliho paslon di kantor"),
    )
    context = phone_context(browser)
    page = context.new_page()
    try:
        sign_in(page, suite, "browser-karo-reader")
        base = suite.urls["console"]
        other = page.goto(f"{base}/kasus/{theirs['id']}")
        other_text = page.locator("main").inner_text()
        missing = page.goto(f"{base}/kasus/0123456789abcdef01234567")
        missing_text = page.locator("main").inner_text()
        assert other is not None
        assert missing is not None
        assert other.status == missing.status == 404
        assert other_text == missing_text
        assert "Kutai" not in other_text
    finally:
        context.close()
