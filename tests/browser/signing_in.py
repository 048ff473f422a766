"""A person of the directory signing in to the console in the browser, through their
invitation link, with the second factor their role requires (the code computed from the
secret the page shows as text)."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Page, expect

from tests.support.suite import Suite

PASSWORD = "payung biru di hari hujan"
SECOND_FACTOR = ("supervisor", "operator", "auditor")


def sign_in(
    page: Page,
    suite: Suite,
    officer_id: str,
    *,
    role: str = "officer",
    region: str = "12.06",
    unit: str = "BKPSDM",
    name: str | None = None,
) -> None:
    suite.person(officer_id, role=role, region=region, unit=unit, name=name)
    page.goto(suite.invitation(officer_id))
    page.get_by_label("Kata sandi baru", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi baru").fill(PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi dan masuk").click()
    if role in SECOND_FACTOR:
        expect(page.locator("code.secret")).to_be_visible()
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Aktifkan dan lanjutkan").click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
