"""A held alert is shown as held on the case page, with the time its digest goes out, from
what notify answers the signed-in person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests

from tests.support.alerted import alerted_case
from tests.support.builders import case_payload
from tests.support.pages import PageClient, text
from tests.support.suite import Suite
from tests.support.waiting import eventually

PASSWORD = "kopi tubruk di teras rumah"
REGION = "17.71"  # Kota Bengkulu: one BKPSDM officer, so both cases reach the same person
WIB = ZoneInfo("Asia/Jakarta")


def _deliveries(suite: Suite, key: str, case_id: str) -> requests.Response:
    return requests.get(
        f"{suite.urls['notify']}/v1/cases/{case_id}/deliveries",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )


def test_an_alert_held_for_quiet_hours_shows_as_held_until_its_digest(
    console_suite: Suite,
) -> None:
    first = alerted_case(console_suite, "Tertahan", REGION)
    supervisor = console_suite.key(REGION, "supervisor")
    now = datetime.now(UTC).astimezone(WIB)
    start, end = now - timedelta(hours=1), now + timedelta(minutes=45)
    quiet = {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "hold_up_to": "high"}
    answer = requests.put(
        f"{console_suite.urls['notify']}/v1/recipients/{first.officer_id}/preferences",
        json={"quiet_hours": quiet},
        headers={"Authorization": f"Bearer {supervisor}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    created = console_suite.submit(
        console_suite.key(REGION, "submitter"),
        case_payload(
            title="Lurah Padang Jati memasang baliho paslon di halaman kantor",
            description=(
                "Lurah Padang Jati memasang baliho dan spanduk pasangan calon nomor urut 3 di "
                "halaman kantor kelurahan dan membagikan stiker kepada warga."
            ),
            accused=[{"name": "Lurah Padang Jati", "employment_type": "PNS"}],
            evidence_urls=["https://www.instagram.com/p/padangjati/"],
        ),
    )

    def held() -> dict[str, Any] | None:
        found = _deliveries(console_suite, supervisor, created["id"])
        if found.status_code != 200:
            return None
        return next((d for d in found.json()["deliveries"] if d["status"] == "held"), None)

    delivery = eventually(held, timeout=60)
    assert delivery["recipient"]["officer_id"] == first.officer_id
    # The same answer is another regency's 404, like every other notify route.
    elsewhere = console_suite.key("12.06", "supervisor")
    assert _deliveries(console_suite, elsewhere, created["id"]).status_code == 404

    person = PageClient(console_suite.urls["console"])
    person.accept_invitation(console_suite.invitation(first.officer_id), PASSWORD)
    page = text(person.get(f"/kasus/{created['id']}"))
    assert "ditahan, dikirim dalam ringkasan sekitar pukul" in page, page
    assert f"{end:%H.%M} WIB" in page, page
    # Each notification says what it was about, not only its channel.
    assert "Penugasan kasus E-mail ditahan untuk ringkasan" in page, page
    english = text(person.get(f"/kasus/{created['id']}?lang=en"))
    assert "held, sent in a digest at about" in english
    assert "Case assignment" in english
    # The first case's alert went out: it is shown as sent, with no held badge.
    first_page = text(person.get(f"/kasus/{first.case_id}?lang=id"))
    assert "E-mail terkirim" in first_page
    assert "ditahan, dikirim dalam ringkasan" not in first_page
