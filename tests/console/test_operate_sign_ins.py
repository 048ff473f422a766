"""The sign-in log in plain words, newest first, filtered by person."""

from __future__ import annotations

import re

from tests.console.operate_people import PASSWORD, signed_in
from tests.support.pages import PageClient
from tests.support.suite import Suite


def test_the_log_says_who_signed_in_or_failed_newest_first(console_suite: Suite) -> None:
    operator = signed_in(console_suite, "operate-log-operator", role="operator")
    signed_in(console_suite, "operate-log-officer", role="officer", region="12.06", unit="BKPSDM")
    stranger = PageClient(console_suite.urls["console"])
    stranger.get("/masuk")
    refused = stranger.post(
        "/masuk", {"email": "operate-log-officer@pantau.example", "password": "salah sekali"}
    )
    assert refused.status_code == 422
    stranger.post("/masuk", {"email": "operate-log-officer@pantau.example", "password": PASSWORD})

    page = operator.get("/operator/log-masuk?officer=operate-log-officer")
    assert page.status_code == 200
    lines = re.findall(r"<li[^>]*>(.*?)</li>", page.text, flags=re.S)
    plain = [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in lines]
    mine = [line for line in plain if "Operate Log Officer" in line]
    assert len(mine) >= 3, plain
    # Newest first: the second sign-in, the failure, then the first sign-in.
    assert "· masuk" in mine[0]
    assert "gagal masuk: e-mail atau kata sandi salah" in mine[1]
    assert "· masuk" in mine[2] or "kata sandi dibuat dari undangan" in mine[2]
    assert '<li class="alarming">' in page.text
    assert not [line for line in plain if "Operate Log Operator" in line]  # one person only

    everyone = operator.get("/operator/log-masuk").text
    assert 'href="/operator/log-masuk?officer=operate-log-operator"' in everyone
    assert 'href="/operator/log-masuk?officer=operate-log-officer"' in everyone
    bad = operator.get("/operator/log-masuk?officer=" + "x" * 70)
    assert bad.status_code == 422
