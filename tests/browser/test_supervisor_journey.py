"""A supervisor signs in with a second factor, reassigns two cases in bulk and sees the team
board change, in Debian's Chromium at desk width."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Browser, Page, expect

from tests.support.alerted import alerted_case
from tests.support.suite import Suite

PASSWORD = "perahu nelayan di teluk pagi"


def _open_cases(page: Page, name: str) -> int:
    """The "open" figure of one officer's row on the team board."""
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
    return int(row.get_by_role("cell").first.inner_text().strip() or "0")


def test_a_supervisor_signs_in_with_totp_and_reassigns_two_cases_in_bulk(
    browser: Browser, browser_suite: Suite
) -> None:
    suite = browser_suite
    first = alerted_case(suite, "Kenanga")
    second = alerted_case(suite, "Melati")
    suite.person("browser-supervisor", role="supervisor", name="Drs. Herman Karo-Karo")
    suite.person("browser-target", name="Rehulina Br Sembiring")

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    try:
        page.goto(suite.invitation("browser-supervisor"))
        page.get_by_label("Kata sandi baru", exact=True).fill(PASSWORD)
        page.get_by_label("Ulangi kata sandi baru").fill(PASSWORD)
        page.get_by_role("button", name="Simpan kata sandi dan masuk").click()

        # The role requires a second factor: the QR code and the secret as text.
        expect(page.get_by_role("heading", name="Siapkan verifikasi dua langkah")).to_be_visible()
        expect(page.get_by_role("img", name="Kode QR untuk aplikasi autentikator")).to_be_visible()
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Aktifkan dan lanjutkan").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kasus wilayah")

        page.goto(suite.urls["console"] + "/tim")
        before = _open_cases(page, "Rehulina Br Sembiring")

        page.goto(suite.urls["console"] + "/kasus?sort=newest")
        for case in (first, second):
            title = page.get_by_role("link", name=case.title)
            expect(title).to_be_visible()
            page.get_by_label(f"Pilih {case.title}").check()
        page.get_by_label("Tindakan").select_option("reassign")
        page.get_by_label("Petugas tujuan (untuk pengalihan)").select_option(
            label="Rehulina Br Sembiring · BKPSDM"
        )
        page.get_by_label("Alasan (dicatat pada setiap kasus)").fill(
            "Pemerataan beban kerja menjelang pemungutan suara."
        )
        page.get_by_role("button", name="Jalankan").click()
        for case in (first, second):
            expect(page.get_by_role("listitem").filter(has_text=case.title)).to_be_visible()

        page.goto(suite.urls["console"] + "/tim")
        assert _open_cases(page, "Rehulina Br Sembiring") == before + 2
        for case in (first, second):
            assert (
                suite.case(suite.key("12.06", "supervisor"), case.case_id)["triage"]["assignee"][
                    "officer_id"
                ]
                == "browser-target"
            )
    finally:
        context.close()
