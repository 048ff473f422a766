"""One-time links through intake's door on the real MongoDB: looking spends nothing, the
button spends once, 30 minutes, the newest link only, and what accepting one ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from flask import Flask

from services.intake.access import links
from services.intake.access.account_models import SignInLink
from services.intake.access.tokens import digest
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerPatch
from shared.contracts import SignInLinkIssued, decode
from shared.settings import Settings
from tests.support.concurrency import at_once
from tests.support.door import OTHER_PASSWORD, PASSWORD, Door, bearer, totp


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def door(app: Flask) -> Door:
    return Door.open(app.test_client())


def inspect(door: Door, token: str) -> dict[str, object]:
    answer = door.post("/v1/auth/links/inspect", {"token": token})
    assert answer.status_code == 200
    body: dict[str, object] = answer.get_json()
    return body


def test_looking_at_a_link_spends_nothing(door: Door) -> None:
    door.person("karo-ln-1")
    token = door.link("karo-ln-1")
    for _ in range(3):
        view = inspect(door, token)
        assert view["state"] == "valid"
        assert view["purpose"] == "invitation"
        assert view["name"] == "Orang karo-ln-1"
        assert view["email"] == "karo-ln-1@karo.example"
    assert door.accept(token).status_code == 200


def test_accepting_spends_the_link_once(door: Door) -> None:
    door.person("karo-ln-2")
    token = door.link("karo-ln-2")
    first = door.accept(token)
    assert first.status_code == 200
    assert first.get_json()["step"] == "session"
    again = door.accept(token, OTHER_PASSWORD)
    assert again.status_code == 403
    assert again.get_json()["reason"] == "link"
    assert inspect(door, token) == {
        "state": "spent",
        "purpose": "invitation",
        "name": None,
        "email": None,
        "expires_at": None,
    }
    # The password of the first acceptance is the one that works.
    assert door.sign_in("karo-ln-2@karo.example", PASSWORD).status_code == 200
    assert door.sign_in("karo-ln-2@karo.example", OTHER_PASSWORD).status_code == 403


def test_two_presses_at_once_spend_it_once(door: Door, app: Flask) -> None:
    door.person("karo-ln-3")
    token = door.link("karo-ln-3")

    def press(presser: Door) -> int:
        return presser.accept(token).status_code

    pressers = [Door(app.test_client(), door.console_key) for _ in range(4)]
    statuses = at_once(*(partial(press, p) for p in pressers))
    assert sorted(statuses) == [200, 403, 403, 403]


def test_a_weak_password_spends_nothing(door: Door) -> None:
    door.person("karo-ln-4")
    token = door.link("karo-ln-4")
    weak = door.accept(token, "pilkada2024")
    assert weak.status_code == 422
    assert weak.get_json()["errors"][0]["field"] == "password"
    assert inspect(door, token)["state"] == "valid"


def test_a_link_expires_after_30_minutes(door: Door) -> None:
    door.person("karo-ln-5")
    token = door.link("karo-ln-5")
    now = datetime.now(UTC)
    assert links.inspect(token, now + timedelta(minutes=29)).state == "valid"
    assert links.inspect(token, now + timedelta(minutes=31)).state == "expired"
    SignInLink._get_collection().update_one(
        {"_id": digest(token)}, {"$set": {"expires_at": now - timedelta(seconds=1)}}
    )
    assert inspect(door, token)["state"] == "expired"
    late = door.accept(token)
    assert late.status_code == 403
    assert late.get_json()["reason"] == "link"


def test_a_newer_link_voids_the_older_one(door: Door) -> None:
    door.person("karo-ln-6")
    older = door.link("karo-ln-6")
    newer = door.link("karo-ln-6", "reset")
    assert inspect(door, older)["state"] == "spent"
    assert door.accept(older).status_code == 403
    assert inspect(door, newer)["purpose"] == "reset"
    assert door.accept(newer).status_code == 200


def test_an_unknown_link_tells_nothing(door: Door) -> None:
    assert inspect(door, "no-such-link")["state"] == "unknown"
    answer = door.accept("no-such-link")
    assert answer.status_code == 403
    assert answer.get_json()["reason"] == "link"


def test_accepting_a_link_ends_the_persons_other_sessions(door: Door) -> None:
    door.person("karo-ln-7")
    old = door.session("karo-ln-7")
    assert door.client.get("/v1/auth/whoami", headers=bearer(old)).status_code == 200
    fresh = door.accept(door.link("karo-ln-7", "reset"), OTHER_PASSWORD)
    assert fresh.status_code == 200
    assert door.client.get("/v1/auth/whoami", headers=bearer(old)).status_code == 401
    new = fresh.get_json()["token"]
    assert door.client.get("/v1/auth/whoami", headers=bearer(new)).status_code == 200


def test_a_step_begun_with_the_old_password_ends_with_it(door: Door) -> None:
    # Someone who knew the old password got as far as setting up "their" second factor; the
    # person resets the password: that half-done step must not open a session afterwards.
    door.person("karo-ln-8", role="supervisor")
    assert door.set_password("karo-ln-8")["step"] == "enrol"
    intruder = door.sign_in("karo-ln-8@karo.example").get_json()["token"]
    secret = door.enrol(intruder)
    assert door.accept(door.link("karo-ln-8", "reset"), OTHER_PASSWORD).status_code == 200
    late = door.confirm(intruder, totp(secret))
    assert late.status_code == 403
    assert late.get_json()["reason"] == "challenge"


def test_a_changed_address_voids_the_links_mailed_to_the_old_one(door: Door) -> None:
    door.person("karo-ln-9")
    token = door.link("karo-ln-9")
    directory.update(
        "karo-ln-9",
        OfficerPatch(version=1, email="karo-ln-9.baru@karo.example"),
        actor=directory.actor_of("test"),
    )
    assert inspect(door, token)["state"] == "spent"
    assert door.accept(token).status_code == 403


def test_a_deactivated_persons_link_opens_nothing(door: Door) -> None:
    door.person("karo-ln-10")
    token = door.link("karo-ln-10")
    directory.deactivate("karo-ln-10", actor=directory.actor_of("test"))
    assert inspect(door, token)["state"] != "valid"
    assert door.accept(token).status_code == 403


def test_a_reset_is_answered_alike_for_anyone_and_mailed_only_to_people(door: Door) -> None:
    door.person("karo-ln-11")
    known = door.post("/v1/auth/password-resets", {"email": "karo-ln-11@karo.example"})
    unknown = door.post("/v1/auth/password-resets", {"email": "nobody-ln@karo.example"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    [doc] = list(SignInLink._get_collection().find({}))
    [item] = doc["outbox"]
    _, event = decode(item["body"].encode())
    assert isinstance(event, SignInLinkIssued)
    assert event.purpose == "reset"
    assert event.invited_by is None
    assert event.recipient.email == "karo-ln-11@karo.example"
    assert event.url.startswith("http://127.0.0.1:8000/masuk/tautan/")


def test_resets_to_one_address_are_limited_silently(door: Door) -> None:
    door.person("karo-ln-12")
    answers = [
        door.post(
            "/v1/auth/password-resets",
            {"email": "karo-ln-12@karo.example", "client": {"address": f"192.0.2.{n}"}},
        )
        for n in range(6)
    ]
    assert {a.status_code for a in answers} == {202}
    assert len({str(a.get_json()) for a in answers}) == 1
    assert SignInLink._get_collection().count_documents({}) == 3


def test_an_invitation_by_a_supervisor_names_them_in_its_event(door: Door) -> None:
    door.person("karo-ln-13")
    door.person("karo-ln-sup", role="supervisor")
    session, _ = door.enrolled_session("karo-ln-sup")
    sent = door.client.post("/v1/officers/karo-ln-13/invitations", headers=bearer(session))
    assert sent.status_code == 202, sent.get_json()
    doc = SignInLink._get_collection().find_one({"officer_id": "karo-ln-13"})
    assert doc is not None
    _, event = decode(doc["outbox"][0]["body"].encode())
    assert isinstance(event, SignInLinkIssued)
    assert event.purpose == "invitation"
    assert event.invited_by == "Orang karo-ln-sup"
    # The token itself is stored nowhere but in that event, as a hash of it is the id.
    token = event.url.rsplit("/", 1)[1]
    assert doc["_id"] == digest(token)
