"""People signed in to the console for the team pages' tests: a supervisor or an operator
(with the second factor their role requires) and an officer, each in their own browser."""

from __future__ import annotations

import re
import secrets
from typing import Any

import requests

from tests.support.builders import case_payload
from tests.support.pages import PageClient, text
from tests.support.suite import Suite
from tests.support.waiting import eventually

PASSWORD = "nasi goreng kampung pedas"
_HIDDEN = '<input type="hidden" name="{name}" value="([^"]*)"'


def signed_in(suite: Suite, officer_id: str, *, role: str, region: str = "12.06") -> PageClient:
    """A person of the directory who accepted their invitation and is signed in."""
    suite.person(
        officer_id, role=role, region=region, unit="BKPSDM" if "." in region else "PROVINSI"
    )
    browser = PageClient(suite.urls["console"])
    landed = browser.accept_invitation(suite.invitation(officer_id), PASSWORD)
    if role != "officer":
        assert "/masuk/siapkan-kode" in landed.url, (landed.url, text(landed)[:300])
        browser.enrol_second_factor()
    home = browser.get("/kasus")
    assert home.status_code == 200, text(home)[:300]
    assert "/kasus" in home.url, home.url
    return browser


def hidden(page: requests.Response, name: str) -> str:
    """The value of a hidden form field of ``page``."""
    found = re.search(_HIDDEN.format(name=re.escape(name)), page.text)
    assert found, f"no hidden field {name} on {page.url}"
    return found.group(1).replace("&amp;", "&")


def assigned(suite: Suite, key: str, case_id: str) -> dict[str, Any]:
    """The case once triage has routed it (to an officer, or up to the province)."""

    def routed() -> dict[str, Any] | None:
        case = suite.case(key, case_id)
        triage = case.get("triage") or {}
        return case if triage.get("assignee") or triage.get("to_province") else None

    found: dict[str, Any] = eventually(
        routed, timeout=60, describe=lambda: suite.case(key, case_id).get("timeline")
    )
    return found


def distinct_case(title: str) -> dict[str, Any]:
    """A submission about someone else and another post than any other test's, so triage
    routes it instead of filing it as a duplicate."""
    nip = f"1985{1 + secrets.randbelow(12):02d}{1 + secrets.randbelow(28):02d}2010011"
    nip += f"{1 + secrets.randbelow(999):03d}"
    payload = case_payload(title=title)
    payload["accused"] = [{**payload["accused"][0], "name": f"Pegawai {title}", "nip": nip}]
    payload["evidence_urls"] = [f"https://www.facebook.com/share/p/{secrets.token_hex(6)}/"]
    return payload
