"""People of the operators' page tests, signed in to the console as their role requires."""

from __future__ import annotations

import re

from tests.support.pages import PageClient
from tests.support.suite import Suite

PASSWORD = "teh manis hangat di pos ronda"
# Roles that must set up the second factor at their first sign-in.
SECOND_FACTOR = ("supervisor", "operator", "auditor")
_ROW = re.compile(
    r'<section[^>]*data-service="(?P<service>\w+)"'
    r'|<dd data-part="(?P<part>\w+)" data-verdict="(?P<verdict>\w+)"'
)


def signed_in(
    suite: Suite, officer_id: str, *, role: str, region: str = "12", unit: str = "PROVINSI"
) -> PageClient:
    """A directory entry of ``role``, invited, with a password and (where the role needs it)
    the second factor set up: a browser session on the console."""
    suite.person(officer_id, region=region, role=role, unit=unit)
    person = PageClient(suite.urls["console"])
    landed = person.accept_invitation(suite.invitation(officer_id), PASSWORD)
    if role in SECOND_FACTOR:
        assert "/masuk/siapkan-kode" in landed.url, landed.url
        person.enrol_second_factor()
        assert person.last is not None
        landed = person.last
    # Past the door; where the home page leads is another family's page.
    assert "/masuk" not in landed.url, landed.url
    return person


def verdicts(page: str) -> dict[tuple[str, str], str]:
    """Each (service, part) of the health page and its verdict, as the page marks them."""
    found: dict[tuple[str, str], str] = {}
    service = ""
    for match in _ROW.finditer(page):
        if match.group("service"):
            service = match.group("service")
        else:
            found[(service, match.group("part"))] = match.group("verdict")
    return found
