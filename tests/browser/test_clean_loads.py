"""Every page family loads cleanly in Chromium: no script error, no message the browser logs as
an error (a blocked inline script or style under the console's Content-Security-Policy is one),
and no request of the page answered with an error.

Such faults show nothing on the page itself: a script that stopped, a stylesheet rule the
policy refused, an icon that is not there. Only the browser knows, and this asks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Response

from tests.browser.conftest import phone_context
from tests.browser.signing_in import sign_in
from tests.support.alerted import alerted_case
from tests.support.suite import Suite


@dataclass
class Faults:
    """What the browser reported while the pages loaded, each with the page it came from."""

    found: list[str] = field(default_factory=list)
    page: str = ""

    def watch(self, context: BrowserContext) -> None:
        context.on("page", self._watch_page)

    def _watch_page(self, page: Page) -> None:
        page.on("pageerror", self._script_error)
        page.on("console", self._console)
        page.on("response", self._response)

    def _script_error(self, error: Error) -> None:
        self.found.append(f"{self.page}: script error {error.message}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.found.append(f"{self.page}: console error {message.text}")

    def _response(self, response: Response) -> None:
        # The page's own answer is the test's to judge (a 404 page is one); what it loads is
        # not allowed to fail.
        if response.status >= 400 and response.request.resource_type != "document":
            self.found.append(f"{self.page}: {response.status} for {response.url}")


@pytest.fixture
def watched(browser: Browser) -> Iterator[tuple[Page, Faults]]:
    context = phone_context(browser)
    faults = Faults()
    faults.watch(context)
    page = context.new_page()
    try:
        yield page, faults
    finally:
        context.close()


def _visit(page: Page, faults: Faults, base: str, paths: list[str]) -> None:
    for path in paths:
        faults.page = path
        answer = page.goto(base + path)
        assert answer is not None
        assert answer.ok, (path, answer.status)
        page.wait_for_load_state("load")


def test_the_public_pages_load_cleanly(watched: tuple[Page, Faults], browser_suite: Suite) -> None:
    page, faults = watched
    _visit(page, faults, browser_suite.urls["console"], ["/masuk", "/lapor", "/lacak"])
    assert faults.found == []


def test_an_officers_pages_load_cleanly(watched: tuple[Page, Faults], browser_suite: Suite) -> None:
    page, faults = watched
    alerted = alerted_case(browser_suite, "Muat-Bersih")
    sign_in(page, browser_suite, alerted.officer_id)
    base = browser_suite.urls["console"]
    _visit(page, faults, base, ["/kasus", alerted.link.removeprefix(base), "/akun"])
    # The action forms open as a person opens them: their scripts run too.
    for summary in page.locator("details > summary").all():
        summary.click()
    assert faults.found == []


def test_a_supervisors_and_an_operators_pages_load_cleanly(
    watched: tuple[Page, Faults], browser_suite: Suite
) -> None:
    page, faults = watched
    base = browser_suite.urls["console"]
    sign_in(page, browser_suite, "clean-supervisor", role="supervisor")
    _visit(page, faults, base, ["/kasus", "/tim", "/tim/orang", "/tim/sesi", "/statistik"])
    page.get_by_role("button", name="Keluar").click()
    sign_in(page, browser_suite, "clean-operator", role="operator", region="12")
    _visit(
        page,
        faults,
        base,
        ["/operator", "/operator/kunci", "/operator/parkir", "/operator/log-masuk"],
    )
    assert faults.found == []
