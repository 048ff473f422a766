"""Who may open the operators' pages: an auditor reads the key list and the sign-in log and
changes nothing (intake refuses what they send anyway); officers and supervisors get 403."""

from __future__ import annotations

import requests

from tests.console.operate_people import signed_in
from tests.support.pages import text
from tests.support.suite import Suite

PAGES = ("/operator", "/operator/kunci", "/operator/parkir", "/operator/log-masuk")


def keys_named(suite: Suite, name: str) -> list[dict[str, object]]:
    answer = requests.get(
        f"{suite.urls['intake']}/v1/keys",
        headers={"Authorization": f"Bearer {suite.key(region='12', role='operator')}"},
        timeout=10,
    )
    assert answer.status_code == 200
    return [k for k in answer.json()["items"] if k["name"] == name]


def test_an_auditor_reads_keys_and_the_log_and_intake_refuses_their_changes(
    console_suite: Suite,
) -> None:
    auditor = signed_in(console_suite, "operate-access-auditor", role="auditor")
    landing = auditor.get("/operator")
    assert landing.url.endswith("/operator/log-masuk")
    assert landing.status_code == 200
    assert "Log masuk" in text(landing)

    listed = auditor.get("/operator/kunci")
    assert listed.status_code == 200
    assert "Kunci API" in text(listed)
    assert "/operator/kunci/baru" not in listed.text
    assert "/cabut" not in listed.text
    assert "Kesehatan" not in text(listed)  # the menu offers only what they may open
    assert auditor.get("/operator/kunci/baru").status_code == 403
    assert auditor.get("/operator/parkir").status_code == 403

    # A form sent anyway goes to intake, which refuses it: no key is made.
    sent = auditor.post(
        "/operator/kunci/baru",
        {"name": "Kunci auditor uji", "region": "12.06", "role": "submitter"},
        token_from="/operator/kunci",
    )
    assert sent.status_code == 403
    assert "Hanya operator provinsi" in text(sent)
    assert keys_named(console_suite, "Kunci auditor uji") == []

    kept = console_suite.key(region="12.06", role="submitter")
    refused = auditor.post(
        f"/operator/kunci/{kept.split('_')[1]}/cabut", {}, token_from="/operator/kunci"
    )
    assert refused.status_code == 403
    still = requests.get(
        f"{console_suite.urls['intake']}/v1/auth/whoami",
        headers={"Authorization": f"Bearer {kept}"},
        timeout=10,
    )
    assert still.status_code == 200


def test_officers_and_supervisors_get_the_forbidden_page(console_suite: Suite) -> None:
    supervisor = signed_in(
        console_suite, "operate-access-supervisor", role="supervisor", region="12.06", unit="BKPSDM"
    )
    officer = signed_in(
        console_suite, "operate-access-officer", role="officer", region="12.06", unit="BKPSDM"
    )
    for person in (supervisor, officer):
        menu = person.get("/akun")
        assert "/operator" not in menu.text
        for page in PAGES:
            answer = person.get(page)
            assert answer.status_code == 403, page
            assert "Tidak diizinkan" in text(answer)
