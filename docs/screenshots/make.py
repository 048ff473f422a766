"""Draw the console's screenshots in this folder from a real suite with a few demo cases.

    .venv/bin/python docs/screenshots/make.py

Starts the whole suite (mongod, RabbitMQ vhost, services, workers, console) in a scratch
folder, files cases in two regencies, signs in an officer and a supervisor (through their
invitation links, the supervisor with a real second factor) in Debian's Chromium, and saves
the queue, the case page and a citizen's report form at phone width and the case page and
statistics at desk width.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.harness import real_servers  # noqa: E402
from services.cli.demo import DEMO_CASES  # noqa: E402
from services.cli.infra import CHROMIUM  # noqa: E402
from tests.support.suite import Suite, running_suite  # noqa: E402
from tests.support.waiting import eventually  # noqa: E402

HERE = Path(__file__).resolve().parent
PASSWORD = "jalan setapak menuju kebun kopi"  # noqa: S105 (a demo person's password)
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def sign_in(browser: Browser, suite: Suite, officer_id: str, viewport: dict[str, int]) -> Page:
    page = browser.new_context(viewport=viewport).new_page()  # type: ignore[arg-type]
    page.goto(suite.invitation(officer_id))
    page.get_by_label("Kata sandi baru", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi baru").fill(PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi dan masuk").click()
    page.wait_for_load_state()
    secret = page.locator("code.secret")
    if secret.count():
        code = pyotp.TOTP(secret.inner_text().replace(" ", "")).now()
        page.get_by_label("Kode 6 angka dari aplikasi autentikator").fill(code)
        page.get_by_role("button", name="Aktifkan dan lanjutkan").click()
        page.wait_for_load_state()
    return page


def main() -> None:
    with (
        real_servers() as servers,
        running_suite(
            servers.mongo_url,
            Path(tempfile.mkdtemp(prefix="pantau-shots-")),
            amqp_url=servers.amqp_url,
            console=True,
        ) as suite,
    ):
        supervisor_key = suite.key("12.06", "supervisor")
        ids = []
        for region, case in DEMO_CASES:
            ids.append(suite.submit(suite.key(region, "submitter"), case)["id"])
        first = eventually(
            lambda: (c := suite.case(supervisor_key, ids[0]))["triage"].get("assignee") and c,
            timeout=60,
        )
        officer = first["triage"]["assignee"]
        suite.person(officer["officer_id"], name=officer["name"])
        suite.person("karo-supervisor", role="supervisor", name="Drs. Herman Karo-Karo")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            phone = sign_in(browser, suite, officer["officer_id"], PHONE)
            base = suite.urls["console"]
            phone.goto(f"{base}/kasus?sort=due")
            phone.screenshot(path=HERE / "queue-phone.png", full_page=True)
            phone.goto(f"{base}/kasus/{ids[0]}")
            phone.screenshot(path=HERE / "case-phone.png", full_page=True)
            citizen = browser.new_context(viewport=PHONE).new_page()  # type: ignore[arg-type]
            citizen.goto(f"{base}/lapor/12.06")
            citizen.screenshot(path=HERE / "report-phone.png", full_page=True)
            desk = sign_in(browser, suite, "karo-supervisor", DESK)
            desk.goto(f"{base}/kasus/{ids[0]}")
            desk.screenshot(path=HERE / "case-desk.png", full_page=True)
            desk.goto(f"{base}/statistik")
            desk.screenshot(path=HERE / "statistics-desk.png", full_page=True)
            browser.close()


if __name__ == "__main__":
    main()
