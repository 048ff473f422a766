"""The people of the area through the running suite: adding a person (the service's field
errors beside the fields), inviting them (the link arrives by e-mail and works), changing an
entry a colleague changed meanwhile, deactivating a signed-in officer (signed out at once),
and another regency's people, sessions and cases staying out of reach."""

from __future__ import annotations

import re

import requests

from tests.console.people import PASSWORD, signed_in
from tests.support.builders import case_payload, plain_text
from tests.support.pages import PageClient, text
from tests.support.suite import Suite
from tests.support.waiting import eventually

_LINK = re.compile(r"https?://\S+/masuk/tautan/[A-Za-z0-9_\-]+")


def test_a_supervisor_adds_a_person_and_the_invitation_reaches_them(
    console_suite: Suite,
) -> None:
    boss = signed_in(console_suite, "tp-boss", role="supervisor")
    form = boss.get("/tim/orang/baru")
    assert form.status_code == 200
    # Supervisors give regency roles only.
    assert 'value="operator"' not in form.text
    entry = {
        "officer_id": "tp-new-1",
        "name": "Nurhayati Ginting",
        "region": "12.06",
        "unit": "INSPEKTORAT",
        "role": "officer",
        "email": "nurhayati@karokab.example",
        "phone": "12345",
        "language": "id",
    }
    refused = boss.post("/tim/orang/baru", entry)
    assert refused.status_code == 422
    assert "Nomor HP tidak valid" in text(refused)
    assert 'value="Nurhayati Ginting"' in refused.text  # what was typed is kept

    added = boss.post("/tim/orang/baru", {**entry, "phone": "0812 6000 1234"})
    assert added.status_code == 200, text(added)[:400]
    assert added.url.endswith("/tim/orang/tp-new-1")
    assert "Belum diundang" in text(added)
    assert "+6281260001234" in text(added)

    taken = boss.post(
        "/tim/orang/baru",
        {**entry, "phone": "", "email": "lain@karokab.example"},
        token_from="/tim/orang/baru",
    )
    assert taken.status_code == 422
    assert "Id ini sudah dipakai" in text(taken)

    boss.get("/tim/orang/tp-new-1")
    sent = boss.post("/tim/orang/tp-new-1/undang", {})
    assert "Undangan dikirim ke nurhayati@karokab.example" in text(sent)
    assert "30 menit" in text(sent)
    assert "Diundang, belum masuk" in text(sent)

    mail = eventually(
        lambda: next(
            (m for m in console_suite.mail.messages if "nurhayati@karokab.example" in m["To"]),
            None,
        ),
        timeout=60,
    )
    link = _LINK.search(plain_text(mail))
    assert link, plain_text(mail)
    newcomer = PageClient(console_suite.urls["console"])
    landed = newcomer.accept_invitation(link.group(0), PASSWORD)
    assert landed.url.endswith("/kasus"), landed.url

    listed = boss.get("/tim/orang?q=nurhayati")
    assert "Akun aktif" in text(listed)


def test_deactivating_a_signed_in_officer_signs_them_out_at_once(console_suite: Suite) -> None:
    boss = signed_in(console_suite, "tp-boss-2", role="supervisor")
    officer = signed_in(console_suite, "tp-leaving", role="officer")

    confirm = boss.get("/tim/orang/tp-leaving/nonaktifkan")
    assert confirm.status_code == 200
    assert "semua sesinya berakhir saat itu juga" in text(confirm)
    done = boss.post("/tim/orang/tp-leaving/nonaktifkan", {})
    assert "Tp Leaving dinonaktifkan" in text(done)

    after = officer.get("/kasus")
    assert "/masuk" in after.url, after.url
    again = officer.get("/kasus")
    assert "/masuk" in again.url


def test_a_change_on_a_stale_entry_shows_what_changed_and_keeps_what_was_typed(
    console_suite: Suite,
) -> None:
    boss = signed_in(console_suite, "tp-boss-3", role="supervisor")
    console_suite.person("tp-edited", name="Masta Br Bangun")
    form = boss.get("/tim/orang/tp-edited/ubah")
    assert 'value="Masta Br Bangun"' in form.text
    # A colleague moves the person to another unit meanwhile.
    key = console_suite.key("12.06", "supervisor")
    entry = requests.get(
        f"{console_suite.urls['intake']}/v1/officers/tp-edited",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).json()
    requests.patch(
        f"{console_suite.urls['intake']}/v1/officers/tp-edited",
        json={"version": entry["version"], "unit": "INSPEKTORAT"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).raise_for_status()

    typed = {
        "version": str(entry["version"]),
        "snapshot": re.search(r'name="snapshot" type="hidden" value="([^"]*)"', form.text)
        .group(1)  # type: ignore[union-attr]
        .replace("&#34;", '"'),
        "name": "Masta Bangun",
        "region": "12.06",
        "unit": "BKPSDM",
        "role": "officer",
        "email": "tp-edited@pantau.example",
        "phone": "",
        "language": "id",
    }
    stale = boss.post("/tim/orang/tp-edited/ubah", typed)
    assert stale.status_code == 409
    words = text(stale)
    assert "diubah orang lain saat Anda mengisinya" in words
    assert "Unit : BKPSDM → INSPEKTORAT" in words
    assert 'value="Masta Bangun"' in stale.text

    # The unit the supervisor left alone now shows the colleague's choice.
    assert '<option selected value="INSPEKTORAT">' in stale.text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', stale.text)
    assert version
    snapshot = re.search(r'name="snapshot" type="hidden" value="([^"]*)"', stale.text)
    assert snapshot
    saved = boss.post(
        "/tim/orang/tp-edited/ubah",
        {
            **typed,
            "unit": "INSPEKTORAT",
            "version": version.group(1),
            "snapshot": snapshot.group(1).replace("&#34;", '"'),
        },
    )
    assert "Data Masta Bangun disimpan." in text(saved)
    assert "INSPEKTORAT" in text(saved)  # the colleague's change stays


def test_another_regencys_people_sessions_and_cases_are_not_found(console_suite: Suite) -> None:
    boss = signed_in(console_suite, "tp-boss-4", role="supervisor")
    signed_in(console_suite, "tp-belitung", role="officer", region="19.02")
    belitung_key = console_suite.key("19.02", "supervisor")
    sessions = requests.get(
        f"{console_suite.urls['intake']}/v1/sessions",
        headers={"Authorization": f"Bearer {belitung_key}"},
        timeout=10,
    ).json()["items"]
    theirs = next(s["id"] for s in sessions if s["officer_id"] == "tp-belitung")
    case = console_suite.submit(console_suite.key("19.02"), case_payload(title="tpother"))

    for path in (
        "/tim/orang/tp-belitung",
        "/tim/orang/tp-belitung/ubah",
        "/tim/orang/tp-belitung/nonaktifkan",
        f"/tim/sesi/{theirs}/akhiri",
        f"/kasus/{case['id']}",
    ):
        page = boss.get(path)
        assert page.status_code == 404, path
        assert "Tp Belitung" not in text(page)
    assert "Tp Belitung" not in text(boss.get("/tim/orang?active=semua"))
    assert "Tp Belitung" not in text(boss.get("/tim/sesi"))
    assert "Tp Belitung" not in text(boss.get("/tim"))
    boss.get("/tim")
    ended = boss.post(f"/tim/sesi/{theirs}/akhiri", {})
    assert ended.status_code == 404
