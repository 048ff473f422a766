"""API keys from the console: an operator creates one and sees it once, then only its
prefix; revokes it and intake refuses it; a form with mistakes says each beside its field."""

from __future__ import annotations

import re

import requests

from tests.console.operate_people import signed_in
from tests.support.pages import text
from tests.support.suite import Suite

_NEW_KEY = re.compile(r'id="new-key">(pnt_([a-z0-9]+)_[A-Za-z0-9_-]+)<')


def whoami(suite: Suite, key: str) -> requests.Response:
    return requests.get(
        f"{suite.urls['intake']}/v1/auth/whoami",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )


def test_an_operator_creates_a_key_sees_it_once_and_revokes_it(console_suite: Suite) -> None:
    operator = signed_in(console_suite, "operate-keys-operator", role="operator")
    form = operator.get("/operator/kunci/baru")
    assert form.status_code == 200
    assert "Kabupaten Karo" in form.text  # the region codes offered

    created = operator.post(
        "/operator/kunci/baru",
        {"name": "Diskominfo Karo uji kunci", "region": "12.06", "role": "submitter"},
    )
    assert created.status_code == 200, text(created)
    assert created.headers["Cache-Control"] == "no-store"
    assert "tidak akan ditampilkan lagi" in text(created)
    assert 'data-copy="#new-key"' in created.text
    found = _NEW_KEY.search(created.text)
    assert found, created.text
    key, prefix = found.group(1), found.group(2)
    secret = key.split("_", 2)[2]
    answer = whoami(console_suite, key)
    assert answer.status_code == 200
    assert answer.json()["role"] == "submitter"
    assert answer.json()["region"] == "12.06"

    listed = operator.get("/operator/kunci")
    assert listed.status_code == 200
    assert f"pnt_{prefix}_" in listed.text
    assert secret not in listed.text
    assert "Diskominfo Karo uji kunci" in text(listed)

    confirm = operator.get(f"/operator/kunci/{prefix}/cabut")
    assert confirm.status_code == 200
    assert "Cabut kunci Diskominfo Karo uji kunci?" in text(confirm)
    assert secret not in confirm.text
    done = operator.post(f"/operator/kunci/{prefix}/cabut", {})
    assert done.status_code == 200
    assert done.url.endswith("/operator/kunci")
    assert f"Kunci {prefix} dicabut" in text(done)
    assert whoami(console_suite, key).status_code == 401
    # Listed now among the revoked, without a revoke link.
    revoked = text(done).split("Kunci yang dicabut", 1)[1]
    assert "Diskominfo Karo uji kunci" in revoked
    assert f"/operator/kunci/{prefix}/cabut" not in done.text

    again = operator.post(f"/operator/kunci/{prefix}/cabut", {})
    assert f"Kunci {prefix} sudah dicabut sebelumnya" in text(again)


def test_a_key_form_with_mistakes_says_each_beside_its_field(console_suite: Suite) -> None:
    operator = signed_in(console_suite, "operate-keys-careful", role="operator")
    operator.get("/operator/kunci/baru")

    empty = operator.post("/operator/kunci/baru", {"name": "", "region": "dua belas", "role": ""})
    assert empty.status_code == 422
    words = text(empty)
    assert "Ada yang perlu diperbaiki" in words
    assert "Beri nama yang menyebut pemiliknya." in words
    assert "Tulis kode seperti 12 (provinsi) atau 12.06." in words
    assert "Pilih peran kunci ini." in words
    assert 'value="dua belas"' in empty.text

    # Intake's refusals land beside their fields, in the person's words.
    elsewhere = operator.post(
        "/operator/kunci/baru",
        {"name": "Diskominfo Kukar", "region": "64.02", "role": "submitter"},
    )
    assert elsewhere.status_code == 422
    assert "Wilayah ini di luar wilayah Anda." in text(elsewhere)
    assert 'value="Diskominfo Kukar"' in elsewhere.text
    nobody = operator.post(
        "/operator/kunci/baru",
        {
            "name": "Kunci Rehulina",
            "region": "12.06",
            "role": "officer",
            "officer_id": "operate-keys-nobody",
        },
    )
    assert nobody.status_code == 422
    assert "Tidak ada petugas aktif dengan ID ini di wilayah kunci." in text(nobody)
    assert 'id="officer_id-error"' in nobody.text
