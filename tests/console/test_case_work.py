"""An officer works a case in the console, from the alert e-mail to a recommendation, with the
services keeping the version, the audit trail and the statutory clock as they do for keys."""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.support.alerted import alerted_case
from tests.support.builders import case_payload
from tests.support.pages import PageClient, text
from tests.support.suite import Suite
from tests.support.waiting import eventually

PASSWORD = "sepeda merah di pasar pagi"
LINK = re.compile(r"(http://\S+/kasus/[0-9a-f]{24})")


def test_an_officer_follows_the_alert_signs_in_and_works_the_case_to_a_recommendation(
    console_suite: Suite,
) -> None:
    alerted = alerted_case(console_suite, "Harapan")
    case_id = alerted.case_id
    assert alerted.link == f"{console_suite.urls['console']}/kasus/{case_id}"

    person = PageClient(console_suite.urls["console"])
    opened = person.get(alerted.link)
    assert "/masuk" in opened.url  # not signed in yet: the sign-in page, keeping the case
    landed = person.accept_invitation(console_suite.invitation(alerted.officer_id), PASSWORD)
    assert landed.url == alerted.link, landed.url
    assert "Kepala sekolah Harapan" in text(landed)
    # Triage's own words: the proposal and the closest confirmed reports it resembles.
    assert "Diusulkan kategori" in text(landed)
    assert "Laporan terkonfirmasi terdekat" in text(landed)
    assert "Tahap: verifikasi laporan" in text(landed)  # the deadline's stage, in words

    page = f"/kasus/{case_id}"
    acknowledged = person.submit(f"{page}/tindakan/acknowledge")
    assert acknowledged.url.endswith(page)
    assert "Kasus ditandai sudah diterima" in text(acknowledged)

    steps = [
        ("verified", {"s-verified-note": "Syarat formal dan material lengkap."}),
        ("under_examination", {"s-under_examination-note": "Memanggil terlapor."}),
        (
            "recommendation_issued",
            {
                "s-recommendation_issued-finding": "proven",
                "s-recommendation_issued-sanction_level": "berat",
                "s-recommendation_issued-note": "Terbukti mengunggah dan mengajak.",
            },
        ),
    ]
    for target, typed in steps:
        moved = person.submit(f"{page}/status/{target}", typed)
        assert moved.status_code == 200, text(moved)
        assert "Status kasus diubah" in text(moved), text(moved)

    # The timeline in words, with who acted and why; no code of the services in it. Triage
    # announces its decision again once verification moves the deadline, through the broker:
    # the page is read again until that has reached the case.
    def worded_timeline() -> str | None:
        timeline = text(person.get(page)).split("Riwayat", 1)[1]
        return timeline if "Tenggat diperbarui:" in timeline else None

    timeline = eventually(worded_timeline, timeout=30)
    assert "Status: Terverifikasi: Syarat formal dan material lengkap." in timeline
    assert f"Kasus diterima petugas; pengingat berhenti · {alerted.officer_name}" in timeline
    assert f"Ditugaskan ke {alerted.officer_name}" in timeline
    assert timeline.count("Diklasifikasikan sebagai") == 1
    # Triage announced its decision again as verification moved the deadline: said as such.
    assert "Tenggat diperbarui:" in timeline
    assert not re.search(r"prioritas (urgent|high|low)\b", timeline), timeline
    assert "Pemberitahuan terkirim lewat E-mail" in timeline

    supervisor = console_suite.key("12.06", "supervisor")
    assert console_suite.case(supervisor, case_id)["status"] == "recommendation_issued"
    trail = requests.get(
        f"{console_suite.urls['intake']}/v1/cases/{case_id}/audit",
        headers={"Authorization": f"Bearer {supervisor}"},
        timeout=10,
    ).json()
    assert trail["intact"] is True
    mine = [e for e in trail["items"] if e["actor"].get("officer_id") == alerted.officer_id]
    assert [e["action"] for e in mine][:1] == ["acknowledged"]
    assert len(mine) == 4

    def clock_moved() -> Any:
        answer = requests.get(
            f"{console_suite.urls['triage']}/v1/cases/{case_id}/triage",
            headers={"Authorization": f"Bearer {supervisor}"},
            timeout=10,
        ).json()
        return answer["clock"]["stage"] != "verification" and answer["clock"]

    assert eventually(clock_moved, timeout=30)


def test_a_change_on_a_stale_version_shows_what_changed_and_keeps_the_form(
    console_suite: Suite,
) -> None:
    alerted = alerted_case(console_suite, "Sejahtera")
    case_id = alerted.case_id
    person = PageClient(console_suite.urls["console"])
    person.accept_invitation(console_suite.invitation(alerted.officer_id), PASSWORD)
    page = f"/kasus/{case_id}"
    person.get(page)
    form = person.hidden(f"{page}/status/rejected")

    # Meanwhile a colleague acknowledges the case through the API.
    colleague = console_suite.key("12.06", "supervisor")
    answer = requests.post(
        f"{console_suite.urls['intake']}/v1/cases/{case_id}/acknowledge",
        json={"version": int(form["s-rejected-version"])},
        headers={"Authorization": f"Bearer {colleague}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    stale = person.submit(
        f"{page}/status/rejected", {"s-rejected-reason": "Bukan ASN; bukan wewenang kami."}
    )
    assert stale.status_code == 409
    assert "diubah orang lain" in text(stale)
    assert "Bukan ASN; bukan wewenang kami." in stale.text  # what was typed is kept
    # What changed, in the timeline's words, and only that: not the case's earlier moments.
    notice = text(stale).split("Kasus berubah saat Anda membacanya", 1)[1].split("Isian Anda")[0]
    assert "Kasus diterima petugas; pengingat berhenti" in notice
    assert "Ditugaskan ke" not in notice
    again = person.submit(
        f"{page}/status/rejected", {"s-rejected-reason": "Bukan ASN; bukan wewenang kami."}
    )
    assert again.status_code == 200, text(again)
    assert console_suite.case(colleague, case_id)["status"] == "rejected"


def test_another_regencys_case_is_the_same_404_as_a_case_that_does_not_exist(
    console_suite: Suite,
) -> None:
    elsewhere = console_suite.submit(
        console_suite.key("17.71", "submitter"),
        case_payload(
            title="Camat Bengkulu berkampanye di pasar Panorama", reporter={"anonymous": True}
        ),
    )
    console_suite.person("karo-404-officer")
    person = PageClient(console_suite.urls["console"])
    person.accept_invitation(console_suite.invitation("karo-404-officer"), PASSWORD)

    other = person.get(f"/kasus/{elsewhere['id']}")
    missing = person.get("/kasus/0123456789abcdef01234567")
    assert other.status_code == missing.status_code == 404
    assert text(other).replace(other.url, "") == text(missing).replace(missing.url, "")
