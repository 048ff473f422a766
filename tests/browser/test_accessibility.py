"""Every page family passes axe-core with no serious or critical violation, at phone size."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import phone_context
from tests.browser.signing_in import sign_in
from tests.support.alerted import alerted_case
from tests.support.suite import Suite

PASSWORD = "lampu jalan kuning malam"


def _check(page: Page, path: str, base: str) -> list[tuple[str, object]]:
    page.goto(base + path)
    # <details> hide their forms; open them so that every field is checked too.
    for summary in page.locator("details > summary").all():
        summary.click()
    found: list[tuple[str, object]] = [(path, v) for v in serious_violations(page)]
    # A phone must never have to scroll sideways to read a page.
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    if viewport is not None and width > viewport["width"]:
        found.append((path, f"{width} px wide on a {viewport['width']} px screen"))
    return found


def test_signed_out_pages_have_no_serious_accessibility_violation(
    browser: Browser, browser_suite: Suite
) -> None:
    base = browser_suite.urls["console"]
    browser_suite.person("a11y-invited")
    link = browser_suite.invitation("a11y-invited").removeprefix(base)
    context = phone_context(browser)
    page = context.new_page()
    try:
        found = []
        for path in ["/masuk", "/masuk/lupa", link, "/masuk/tautan/unknown-link", "/tidak-ada"]:
            found += _check(page, path, base)
        # A refused sign-in shows its errors: the error summary and the fields must hold too.
        page.goto(base + "/masuk")
        # axe must run on the answer, not on the page the click is leaving.
        with page.expect_navigation():
            page.get_by_role("button", name="Masuk").click()
        found += [("/masuk (errors)", v) for v in serious_violations(page)]
    finally:
        context.close()
    assert found == []


def test_an_officers_pages_have_no_serious_accessibility_violation(
    browser: Browser, browser_suite: Suite
) -> None:
    base = browser_suite.urls["console"]
    # A link as long as the ones people paste from their phones, which must not widen a page.
    long_link = (
        "https://www.facebook.com/share/p/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/?mibextid=wwXIfr"
    )
    alerted = alerted_case(browser_suite, "Aksesibel", link=long_link)
    context = phone_context(browser)
    page = context.new_page()
    try:
        page.goto(browser_suite.invitation(alerted.officer_id))
        page.get_by_label("Kata sandi baru", exact=True).fill(PASSWORD)
        page.get_by_label("Ulangi kata sandi baru").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Simpan kata sandi dan masuk").click()
        found = []
        for path in [
            "/kasus",
            "/kasus?sort=priority&closed=1",
            f"/kasus/{alerted.case_id}",
            "/akun",
            "/akun/verifikasi-dua-langkah",
        ]:
            found += _check(page, path, base)
        # A form refused beside its fields (a question too short for the reporter).
        page.goto(f"{base}/kasus/{alerted.case_id}")
        form = page.locator("details", has_text="Minta keterangan dari pelapor")
        form.locator("summary").click()
        form.get_by_label("Pertanyaan untuk pelapor").fill("?")
        with page.expect_navigation():
            form.get_by_role("button", name="Kirim pertanyaan").click()
        found += [("case (errors)", v) for v in serious_violations(page)]
    finally:
        context.close()
    assert found == []


def test_the_checker_itself_finds_an_unlabelled_field_and_a_nameless_link(page: Page) -> None:
    # So that the empty lists above mean "no violation", not "axe did not run".
    page.set_content("<html><body><input type=text><a href='#'></a></body></html>")
    rules = {v["rule"] for v in serious_violations(page)}
    assert {"label", "link-name", "html-has-lang"} <= rules


def test_supervisors_operators_and_citizens_pages_have_no_serious_violation(
    browser: Browser, browser_suite: Suite
) -> None:
    base = browser_suite.urls["console"]
    alerted = alerted_case(browser_suite, "Teratai")
    found: list[tuple[str, object]] = []

    supervisor_context = phone_context(browser)
    page = supervisor_context.new_page()
    try:
        sign_in(page, browser_suite, "a11y-supervisor", role="supervisor")
        for path in [
            "/tim",
            "/tim/orang",
            "/tim/orang/baru",
            f"/tim/orang/{alerted.officer_id}",
            "/tim/sesi",
            "/statistik",
            f"/kasus/{alerted.case_id}",
        ]:
            found += _check(page, path, base)
    finally:
        supervisor_context.close()

    operator_context = phone_context(browser)
    page = operator_context.new_page()
    try:
        sign_in(page, browser_suite, "a11y-operator", role="operator", region="12", unit="PROVINSI")
        for path in [
            "/operator",
            "/operator/kunci",
            "/operator/kunci/baru",
            "/operator/parkir",
            "/operator/log-masuk",
        ]:
            found += _check(page, path, base)
    finally:
        operator_context.close()

    # axe runs in the page, so the citizen's pages are checked with scripts on; the same
    # markup is served without them.
    citizen_context = phone_context(browser)
    page = citizen_context.new_page()
    try:
        for path in ["/lapor", "/lapor/12.06", "/lacak", "/lacak/AAAA-BBBB-CCCC-DDDD"]:
            page.goto(base + path)
            found += [(path, v) for v in serious_violations(page)]
        # A report refused beside its fields.
        page.goto(base + "/lapor")
        with page.expect_navigation():
            page.get_by_role("button", name="Kirim laporan").click()
        found += [("/lapor (errors)", v) for v in serious_violations(page)]
    finally:
        citizen_context.close()
    assert found == []
