"""Browser tests: Debian's Chromium driven by Playwright against the whole suite as real
processes (the console under gunicorn and every service it calls), one suite for the folder.

Playwright's own browser download is not used: ``make test`` installs Debian's ``chromium``
and these tests launch it by path. The pages are designed for a 360-px-wide phone, so that
is the window the tests use unless a test says otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from services.cli.infra import CHROMIUM
from tests.support.suite import Suite, running_suite

log = logging.getLogger(__name__)

PHONE = ViewportSize(width=360, height=740)
# What a machine with no network beyond the package registries needs so that Chromium does
# not spend its start reaching for update and sync servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def browser_suite(
    mongo_server: Any, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    with running_suite(
        mongo_server.url, tmp_path_factory.mktemp("browser-suite"), console=True
    ) as started:
        yield started


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Printed with -s and kept in the report: which browser these results are from.
        log.warning("browser tests run on Chromium %s", launched.version)
        yield launched
        launched.close()


def phone_context(browser: Browser, *, javascript: bool = True) -> BrowserContext:
    """A fresh browser profile the size of a phone (no cookies from another test)."""
    return browser.new_context(
        viewport=PHONE,
        java_script_enabled=javascript,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = phone_context(browser)
    opened = context.new_page()
    yield opened
    context.close()
