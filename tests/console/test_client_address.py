"""Where no proxy is trusted (the console's default), X-Forwarded-For is a client's claim and
the sign-in log keeps the connection's own address: a client cannot choose the address the
per-address throttle counts."""

from __future__ import annotations

import requests

from services.intake.access.account_models import SignInLogEntry
from tests.support.pages import PageClient
from tests.support.suite import Suite

PASSWORD = "kopi tubruk di teras hujan"


def test_a_client_cannot_name_its_own_address_when_no_proxy_is_trusted(
    console_suite: Suite,
) -> None:
    console_suite.person("forging-officer")
    PageClient(console_suite.urls["console"]).accept_invitation(
        console_suite.invitation("forging-officer"), PASSWORD
    )
    session = requests.Session()
    session.headers["X-Forwarded-For"] = "203.0.113.66"
    browser = PageClient(console_suite.urls["console"], session=session)
    browser.get("/masuk")
    landed = browser.post(
        "/masuk", {"email": "forging-officer@pantau.example", "password": PASSWORD}
    )
    assert "/kasus" in landed.url, landed.url

    logged = list(
        SignInLogEntry._get_collection()
        .find({"officer_id": "forging-officer", "event": "signed_in"})
        .sort("at", -1)
        .limit(1)
    )
    assert logged, "no sign-in logged"
    assert logged[0]["address"] == "127.0.0.1", logged
