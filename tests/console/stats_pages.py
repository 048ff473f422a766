"""Helpers of the statistics page tests: signing an overseer in, submitting cases, and
reading a figure's table from a page."""

from __future__ import annotations

import html
import re
from typing import Any

import requests

from tests.support.builders import case_payload
from tests.support.pages import PageClient
from tests.support.suite import Suite

PASSWORD = "teh manis hangat sore hari"
_SECTION = re.compile(r'<section class="figure" id="(?P<name>[a-z]+)".*?</section>', re.S)
_ROW = re.compile(r'<tr><th scope="row">(?P<label>.*?)</th>(?P<cells>.*?)</tr>', re.S)
_CELL = re.compile(r'<td class="num">(.*?)</td>', re.S)
_KEY = re.compile(r"<dt>(?P<label>.*?)</dt>\s*<dd class=\"value\">(?P<value>.*?)</dd>", re.S)

# Reports that the classifier reads clearly, each naming its own person and link so that
# duplicate detection leaves them apart.
REPORTS = (
    (
        "Video deepfake hoaks soal calon bupati disebar di grup WA",
        "Video editan (deepfake) berisi fitnah dan hoaks tentang calon bupati beredar di "
        "grup WhatsApp warga; isinya tidak benar dan manipulasi.",
    ),
    (
        "Kepala sekolah memakai mobil dinas plat merah untuk kampanye paslon",
        "Mobil dinas berplat merah dipakai mengangkut atribut kampanye pasangan calon pada "
        "jam dinas; kendaraan dinas diparkir di lokasi rapat umum.",
    ),
    (
        "Lurah mengunggah twibbon paslon dan komentar dukungan di Instagram",
        "Lurah mengunggah twibbon pasangan calon, memberi like dan komentar dukungan, lalu "
        "membagikan posting akun tim pemenangan.",
    ),
)


def sign_in_overseer(suite: Suite, officer_id: str, *, region: str, role: str) -> PageClient:
    """An invited supervisor, operator or auditor with a password and a second factor."""
    unit = "PROVINSI" if "." not in region else "BKPSDM"
    suite.person(officer_id, region=region, role=role, unit=unit)
    person = PageClient(suite.urls["console"])
    person.accept_invitation(suite.invitation(officer_id), PASSWORD)
    person.enrol_second_factor()
    return person


def submit_reports(suite: Suite, region: str, tag: str, count: int) -> list[dict[str, Any]]:
    """``count`` distinct cases filed in ``region``, titled with ``tag``."""
    key = suite.key(region=region, role="submitter")
    filed = []
    for i in range(count):
        title, description = REPORTS[i % len(REPORTS)]
        payload = case_payload(
            title=f"{title} ({tag} {i})",
            description=description,
            accused=[{"name": f"Pegawai {tag} {i}", "employment_type": "PNS"}],
            evidence_urls=[f"https://example.org/{tag}/{i}"],
            location={"text": f"Kelurahan {tag} {i}"},
        )
        filed.append({**suite.submit(key, payload), "title": payload["title"]})
    return filed


def reject(suite: Suite, key: str, case_id: str) -> None:
    """Close a case the way an officer rejects one (its first action and its closing)."""
    version = suite.case(key, case_id)["version"]
    answer = requests.post(
        f"{suite.urls['intake']}/v1/cases/{case_id}/status",
        json={"version": version, "status": "rejected", "reason": "Bukan pelanggaran netralitas."},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def figure_rows(page: str, name: str) -> dict[str, tuple[str, ...]]:
    """The rows of figure ``name``'s table: label -> its cells, as the page shows them."""
    for section in _SECTION.finditer(page):
        if section.group("name") == name:
            return {
                html.unescape(row.group("label")).strip(): tuple(
                    html.unescape(c).strip() for c in _CELL.findall(row.group("cells"))
                )
                for row in _ROW.finditer(section.group(0))
            }
    raise AssertionError(f"no figure {name!r} on the page")


def figure_names(page: str) -> list[str]:
    return [section.group("name") for section in _SECTION.finditer(page)]


def key_figures(page: str) -> dict[str, str]:
    return {
        html.unescape(m.group("label")).strip(): html.unescape(m.group("value")).strip()
        for m in _KEY.finditer(page)
    }
