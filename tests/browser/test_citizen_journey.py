"""A citizen on a phone without JavaScript reports a campaigning official with a photo that
carries the phone's GPS position; the officer sees the case with the photo cleaned and the
reporter as a pseudonym, asks a question; the citizen answers on the tracking page; the
clock runs again and the officer is alerted. In Debian's Chromium."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from PIL import Image
from playwright.sync_api import Browser, FilePayload, expect

from services.intake.cases.models import Case
from tests.browser.conftest import phone_context
from tests.support.builders import plain_text
from tests.support.pages import PageClient
from tests.support.public_forms import GPS_IFD, photo_with_gps, question_answer
from tests.support.suite import Suite
from tests.support.waiting import eventually

PASSWORD = "layang layang di pantai tanjung"
# How many lines an element's text takes as drawn: one rectangle per line of a range over it.
LINES_OF_TEXT = """e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""
DESCRIPTION = (
    "Lurah Tanjung Pandan memakai mobil dinas berpelat merah untuk membawa kaos dan stiker "
    "pasangan calon ke posko relawan pada jam kerja, disaksikan warga pasar."
)


def _clock(suite: Suite, key: str, case_id: str) -> dict[str, Any] | None:
    answer = requests.get(
        f"{suite.urls['triage']}/v1/cases/{case_id}/triage",
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )
    return answer.json()["clock"] if answer.status_code == 200 else None


def test_a_citizen_reports_without_javascript_and_answers_the_officers_question(
    browser: Browser, browser_suite: Suite
) -> None:
    suite = browser_suite
    context = phone_context(browser, javascript=False)
    page = context.new_page()
    try:
        page.goto(suite.urls["console"] + "/lapor/19.02")
        occurred = datetime.now(UTC) - timedelta(days=2)
        page.get_by_label("Tempat kejadian").fill("Pasar Tanjung Pandan")
        page.get_by_role("textbox", name="Apa yang terjadi?").fill(DESCRIPTION)
        for prefix, day in (("occurred", occurred), ("known", occurred + timedelta(days=1))):
            page.locator(f"#{prefix}_day").fill(str(day.day))
            page.locator(f"#{prefix}_month").fill(str(day.month))
            page.locator(f"#{prefix}_year").fill(str(day.year))
        page.locator("#person1_position").fill("Lurah")
        page.locator("#evidence").set_input_files(
            FilePayload(name="IMG_20241121.jpg", mimeType="image/jpeg", buffer=photo_with_gps())
        )
        page.get_by_label("Dirahasiakan").check()
        page.get_by_label("Nama Anda").fill("Fransiska Tan")
        page.get_by_label("Nomor HP").fill("0812-7000-4321")
        # Without JavaScript the form asks a sum in words instead of the browser's work.
        page.locator("#check_answer").fill(question_answer(page.content()))
        page.get_by_role("button", name="Kirim laporan").click()

        code = page.locator("#tracking-code").inner_text().strip()
        assert len(code) == 19, code
        # Copied onto paper from this phone: the code stands on one line, no group split.
        assert page.locator("#tracking-code").evaluate(LINES_OF_TEXT) == 1
        case = Case._get_collection().find_one({"tracking_code": code})
        assert case is not None
        case_id = str(case["_id"])

        # The office: the officer sees the photo cleaned and the reporter as a pseudonym.
        supervisor = suite.key("19.02", "supervisor")
        assert eventually(lambda: _clock(suite, supervisor, case_id), timeout=30)
        decision = requests.get(
            f"{suite.urls['triage']}/v1/cases/{case_id}/triage",
            headers={"Authorization": f"Bearer {supervisor}"},
            timeout=5,
        ).json()
        officer_id = decision["assignment"]["officer_id"]
        suite.person(officer_id, region="19.02")
        officer = PageClient(suite.urls["console"])
        officer.accept_invitation(suite.invitation(officer_id), PASSWORD)
        shown = officer.get(f"/kasus/{case_id}")
        assert case["reporter"]["pseudonym"] in shown.text
        assert "Fransiska" not in shown.text
        photo = officer.get(f"/kasus/{case_id}/bukti/{case['evidence'][0]['id']}")
        with Image.open(io.BytesIO(photo.content)) as image:
            assert not image.getexif().get_ifd(GPS_IFD)
        question = "Apakah Anda sempat memotret pelat nomor mobil itu?"
        officer.get(f"/kasus/{case_id}")
        officer.submit(f"/kasus/{case_id}/tindakan/information", {"question": question})
        assert eventually(lambda: (_clock(suite, supervisor, case_id) or {}).get("paused"), 30)

        # The citizen, still without JavaScript, reads the question and answers it.
        page.goto(f"{suite.urls['console']}/lacak/{code}")
        expect(page.locator("blockquote.question")).to_have_text(question)
        page.get_by_label("Jawaban Anda").fill("Ya, pelatnya BN 1234 AB, fotonya menyusul.")
        page.get_by_role("button", name="Kirim jawaban").click()
        expect(page.get_by_text("Jawaban Anda terkirim")).to_be_visible()

        assert eventually(
            lambda: not (_clock(suite, supervisor, case_id) or {"paused": True})["paused"], 30
        )
        assert eventually(
            lambda: any(
                "Pelapor menjawab" in str(m["Subject"]) and code in plain_text(m)
                for m in suite.mail.messages
            ),
            timeout=30,
        )
    finally:
        context.close()
