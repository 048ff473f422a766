"""Behind the door every request comes from 127.0.0.1; the per-address limits (sign-in
throttling, public report limits) must still count the citizen's own address. The door
writes it in X-Forwarded-For and the console trusts exactly one proxy, so what a client
writes there itself is never taken."""

from __future__ import annotations

from typing import Any

from services.intake.access.account_models import SignInLogEntry
from tests.support.front_door import FrontDoor, session_from
from tests.support.pages import PageClient
from tests.support.suite import Suite

PASSWORD = "kopi tubruk di teras hujan"
CLIENT = "127.0.0.2"  # the person's own address, seen only by the door
FORGED = "203.0.113.66"


def _last_sign_in(officer_id: str) -> dict[str, Any]:
    entry = (
        SignInLogEntry._get_collection()
        .find({"officer_id": officer_id, "event": "signed_in"})
        .sort("at", -1)
        .limit(1)
    )
    found = list(entry)
    assert found, f"no sign-in logged for {officer_id}"
    return dict(found[0])


def test_the_sign_in_log_records_the_client_s_address_not_the_door_s_nor_a_forged_one(
    door_suite: tuple[Suite, FrontDoor],
) -> None:
    suite, door = door_suite
    suite.person("door-address-officer")
    PageClient(suite.urls["console"]).accept_invitation(
        suite.invitation("door-address-officer"), PASSWORD
    )

    session = session_from(CLIENT)
    session.headers["X-Forwarded-For"] = FORGED  # the client's own claim: not to be believed
    browser = PageClient(door.url("console"), session=session)
    browser.get("/masuk")
    landed = browser.post(
        "/masuk", {"email": "door-address-officer@pantau.example", "password": PASSWORD}
    )
    assert "/kasus" in landed.url, landed.url

    assert _last_sign_in("door-address-officer")["address"] == CLIENT
