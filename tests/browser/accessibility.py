"""axe-core (the copy shipped inside axe-playwright-python) run on a page in the browser."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_AXE = Axe()
SERIOUS = frozenset({"serious", "critical"})


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical accessibility violations of the page as it is now, each with
    the rule, its help text and where it was found (for a failure message that says what)."""
    results = _AXE.run(page)
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "where": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results.response["violations"]
        if violation.get("impact") in SERIOUS
    ]
