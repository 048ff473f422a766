"""Signing in through intake's door on the real MongoDB: the password, the same refusal for
an unknown address, throttling per account name and per address, the second factor and its
mandatory enrolment."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from flask import Flask
from pymongo import monitoring

from services.intake.access.account_models import Account, SignInChallenge, SignInFailure
from services.intake.access.keys import _cache as _keys_cache
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from shared.settings import Settings
from tests.support.concurrency import at_once
from tests.support.door import OTHER_PASSWORD, PASSWORD, Door, bearer, totp
from tests.support.waiting import eventually


@pytest.fixture
def app(settings: Settings) -> Flask:
    configured = settings.model_copy(
        update={"sign_in_failures_per_account": 3, "sign_in_rate_per_address": 12}
    )
    app = create_app(settings=configured)
    ensure_indexes()
    return app


@pytest.fixture
def door(app: Flask) -> Door:
    return Door.open(app.test_client())


def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("request_id", "instance")}


# --- the password ---------------------------------------------------------------------------


def test_the_right_password_opens_a_session_that_works_as_the_person(door: Door) -> None:
    door.person("karo-pw-1")
    door.set_password("karo-pw-1")
    answer = door.sign_in("KARO-PW-1@karo.example")  # an address in any letter case
    assert answer.status_code == 200, answer.get_json()
    step = answer.get_json()
    assert step["step"] == "session"
    assert step["person"]["officer_id"] == "karo-pw-1"
    assert step["person"]["role"] == "officer"
    me = door.client.get("/v1/auth/whoami", headers=bearer(step["token"]))
    assert me.get_json()["officer_id"] == "karo-pw-1"
    assert me.get_json()["kind"] == "session"


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(door: Door) -> None:
    door.person("karo-pw-2")
    door.set_password("karo-pw-2")
    door.person("karo-pw-3")  # in the directory, never set a password
    wrong = door.sign_in("karo-pw-2@karo.example", OTHER_PASSWORD)
    unknown = door.sign_in("nobody-here@karo.example", OTHER_PASSWORD)
    no_password = door.sign_in("karo-pw-3@karo.example", OTHER_PASSWORD)
    assert wrong.status_code == unknown.status_code == no_password.status_code == 403
    assert wrong.headers.get("Retry-After") == unknown.headers.get("Retry-After")
    assert (
        without_request_id(wrong.get_json())
        == without_request_id(unknown.get_json())
        == without_request_id(no_password.get_json())
    )
    assert wrong.get_json()["reason"] == "credentials"


def test_a_deactivated_person_is_refused_like_a_stranger(door: Door, app: Flask) -> None:
    door.person("karo-pw-4")
    door.set_password("karo-pw-4")
    from services.intake.directory import officers as directory

    directory.deactivate("karo-pw-4", actor=directory.actor_of("test"))
    gone = door.sign_in("karo-pw-4@karo.example")
    unknown = door.sign_in("nobody-else@karo.example")
    assert gone.status_code == 403
    assert without_request_id(gone.get_json()) == without_request_id(unknown.get_json())


class CommandLog(monitoring.CommandListener):
    """The database commands the recording thread issued while recording: their name and
    collection. Background threads (index creation, the key cache's change stream) issue
    commands of their own at moments no test controls; they are not the request's work."""

    def __init__(self) -> None:
        self.recording = False
        self.thread: int | None = None
        self.commands: list[tuple[str, str]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if threading.get_ident() != self.thread:
            return
        if self.recording and event.command_name not in ("endSessions", "hello", "isMaster"):
            target = event.command.get(event.command_name)
            self.commands.append((event.command_name, str(target)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...

    @contextmanager
    def record(self) -> Iterator[list[tuple[str, str]]]:
        self.commands = []
        self.thread = threading.get_ident()
        self.recording = True
        try:
            yield self.commands
        finally:
            self.recording = False


COMMANDS = CommandLog()
monitoring.register(COMMANDS)


def test_an_unknown_address_costs_the_same_work_as_a_wrong_password(settings: Settings) -> None:
    # The same reads and writes, in the same order, and one password hash checked each: the
    # time of the answer tells nothing either (measured as work, not as wall-clock time).
    app = create_app(settings=settings)  # built after the listener: its client reports to it
    ensure_indexes()
    door = Door.open(app.test_client())
    door.person("karo-pw-5")
    door.set_password("karo-pw-5")
    door.sign_in("karo-pw-5@karo.example", OTHER_PASSWORD)  # warm every connection first
    # The door's API key is read from the database until the key cache's stream is live, and
    # kept from the first read after: both recordings must find it kept.
    eventually(_keys_cache.following.is_set, timeout=10)
    door.sign_in("karo-pw-5@karo.example", OTHER_PASSWORD)
    with COMMANDS.record() as known:
        door.sign_in("karo-pw-5@karo.example", OTHER_PASSWORD, address=None)
    with COMMANDS.record() as unknown:
        door.sign_in("nobody-at-all@karo.example", OTHER_PASSWORD, address=None)
    assert known == unknown
    assert ("find", "accounts") in known


# --- throttling -----------------------------------------------------------------------------


def test_after_the_failures_allowed_even_the_right_password_waits(door: Door) -> None:
    door.person("karo-th-1")
    door.set_password("karo-th-1")
    for _ in range(3):
        assert door.sign_in("karo-th-1@karo.example", OTHER_PASSWORD).status_code == 403
    # From another address, and with the right password: the account name is what counts.
    held = door.sign_in("karo-th-1@karo.example", PASSWORD, address="198.51.100.9")
    assert held.status_code == 429
    assert held.get_json()["reason"] == "throttled"
    assert 1 <= int(held.headers["Retry-After"]) <= 15 * 60
    # An unknown name is throttled exactly alike.
    for _ in range(3):
        door.sign_in("nobody-th@karo.example", OTHER_PASSWORD)
    stranger = door.sign_in("nobody-th@karo.example", OTHER_PASSWORD, address="198.51.100.9")
    assert stranger.status_code == 429
    assert without_request_id(stranger.get_json()) == without_request_id(held.get_json())


def test_the_wait_ends_with_the_window_of_the_oldest_failure(door: Door) -> None:
    door.person("karo-th-2")
    door.set_password("karo-th-2")
    for _ in range(3):
        door.sign_in("karo-th-2@karo.example", OTHER_PASSWORD)
    assert door.sign_in("karo-th-2@karo.example").status_code == 429
    # Fifteen minutes later (the failures moved back in time), the right password works.
    SignInFailure._get_collection().update_many(
        {}, {"$set": {"at": datetime.now(UTC) - timedelta(minutes=16)}}
    )
    assert door.sign_in("karo-th-2@karo.example").status_code == 200


def test_a_right_password_is_not_counted_as_a_failure(door: Door) -> None:
    door.person("karo-th-3")
    door.set_password("karo-th-3")
    for _ in range(6):
        assert door.sign_in("karo-th-3@karo.example").status_code == 200


def test_concurrent_guesses_cannot_exceed_the_limit(door: Door, app: Flask) -> None:
    door.person("karo-th-4")
    door.set_password("karo-th-4")

    def guess(n: int, guesser: Door) -> int:
        answer = guesser.sign_in(
            "karo-th-4@karo.example", f"tebakan ke {n} salah", address=f"198.51.100.{n}"
        )
        return answer.status_code

    guessers = [Door(app.test_client(), door.console_key) for _ in range(8)]
    statuses = at_once(*(partial(guess, n, g) for n, g in enumerate(guessers)))
    # At most the allowed three guesses were checked at all; the rest waited.
    assert len(statuses) == 8
    assert statuses.count(403) <= 3
    assert statuses.count(429) >= 5
    # Each guess checked is a failure on record, on the account and on its address; the
    # ones held back left none.
    on_account = {"account": {"$not": {"$regex": "^address:"}}}
    assert SignInFailure._get_collection().count_documents(on_account) == statuses.count(403)
    on_addresses = {"account": {"$regex": "^address:"}}
    assert SignInFailure._get_collection().count_documents(on_addresses) == statuses.count(403)


def test_one_address_is_throttled_across_account_names(door: Door) -> None:
    answers = [
        door.sign_in(f"someone-{n}@karo.example", OTHER_PASSWORD, address="192.0.2.44")
        for n in range(13)
    ]
    assert [a.status_code for a in answers[:12]] == [403] * 12
    assert answers[12].status_code == 429
    assert int(answers[12].headers["Retry-After"]) >= 1
    # Another address is not held back.
    assert door.sign_in("someone-0@karo.example", OTHER_PASSWORD).status_code == 403


# --- the second factor ----------------------------------------------------------------------


def test_roles_that_see_a_whole_area_must_set_up_the_second_factor(door: Door) -> None:
    for officer_id, role, region in (
        ("karo-2fa-sup", "supervisor", "12.06"),
        ("sumut-2fa-op", "operator", "12"),
        ("sumut-2fa-aud", "auditor", "12"),
    ):
        door.person(officer_id, role=role, region=region)
        step = door.set_password(officer_id)
        assert step["step"] == "enrol", (role, step)
        # No session without it: the challenge token is no key.
        assert door.client.get("/v1/auth/whoami", headers=bearer(step["token"])).status_code == 401
        again = door.sign_in(f"{officer_id}@karo.example")
        assert again.get_json()["step"] == "enrol"
    door.person("karo-2fa-off")
    assert door.set_password("karo-2fa-off")["step"] == "session"


def test_enrolment_shows_one_secret_and_its_first_code_opens_a_session(door: Door) -> None:
    door.person("karo-2fa-1", role="supervisor")
    step = door.set_password("karo-2fa-1")
    secret = door.enrol(step["token"])
    assert door.enrol(step["token"]) == secret  # reloading the page shows the same code
    wrong = door.confirm(step["token"], "000000" if totp(secret) != "000000" else "111111")
    assert wrong.status_code == 403
    assert wrong.get_json()["reason"] == "code"
    done = door.confirm(step["token"], totp(secret))
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["step"] == "session"
    me = door.client.get("/v1/account", headers=bearer(done.get_json()["token"]))
    assert me.get_json()["second_factor"] == {"enabled": True, "required": True}
    # From now on the password leads to the code, with the secret set up.
    assert door.sign_in("karo-2fa-1@karo.example").get_json()["step"] == "second_factor"


def test_a_code_opens_a_session_once_and_never_again(door: Door) -> None:
    door.person("karo-2fa-2", role="supervisor")
    _, secret = door.enrolled_session("karo-2fa-2")
    code = totp(secret, steps_ahead=1)  # the enrolment used this step's code
    first = door.sign_in("karo-2fa-2@karo.example").get_json()["token"]
    opened = door.code(first, code)
    assert opened.status_code == 200, opened.get_json()
    assert opened.get_json()["step"] == "session"
    second = door.sign_in("karo-2fa-2@karo.example").get_json()["token"]
    replayed = door.code(second, code)
    assert replayed.status_code == 403
    assert replayed.get_json()["reason"] == "code"


def test_wrong_codes_count_on_the_account_like_wrong_passwords(door: Door) -> None:
    door.person("karo-2fa-3", role="supervisor")
    _, secret = door.enrolled_session("karo-2fa-3")
    right = totp(secret, steps_ahead=1)
    wrong = "123456" if right != "123456" else "654321"
    # The password is known: each sign-in opens a fresh challenge, but the wrong codes add up.
    for _ in range(3):
        challenge = door.sign_in("karo-2fa-3@karo.example").get_json()["token"]
        assert door.code(challenge, wrong).status_code == 403
    assert door.sign_in("karo-2fa-3@karo.example").status_code == 429


def test_a_challenge_expires(door: Door) -> None:
    door.person("karo-2fa-4", role="supervisor")
    _, secret = door.enrolled_session("karo-2fa-4")
    challenge = door.sign_in("karo-2fa-4@karo.example").get_json()["token"]
    SignInChallenge._get_collection().update_many(
        {"kind": "second_factor"},
        {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}},
    )
    late = door.code(challenge, totp(secret, steps_ahead=1))
    assert late.status_code == 403
    assert late.get_json()["reason"] == "challenge"


def test_removing_the_factor_is_refused_to_roles_that_must_have_it(door: Door) -> None:
    door.person("karo-2fa-5", role="supervisor")
    session, _ = door.enrolled_session("karo-2fa-5")
    answer = door.client.post(
        "/v1/account/second-factor/remove", json={"password": PASSWORD}, headers=bearer(session)
    )
    assert answer.status_code == 403
    account = Account._get_collection().find_one({"_id": "karo-2fa-5"})
    assert account is not None
    assert account["totp_enabled_at"] is not None


def test_an_officer_may_turn_the_optional_factor_on(door: Door) -> None:
    door.person("karo-2fa-6")
    session = door.session("karo-2fa-6")
    started = door.client.post("/v1/account/second-factor", headers=bearer(session))
    assert started.status_code == 200
    body = started.get_json()
    confirmed = door.client.post(
        "/v1/account/second-factor/confirm",
        json={"challenge": body["challenge"], "code": totp(body["secret"])},
        headers=bearer(session),
    )
    assert confirmed.get_json() == {"enabled": True}
    assert door.sign_in("karo-2fa-6@karo.example").get_json()["step"] == "second_factor"


def test_successful_sign_ins_from_one_address_never_hold_an_office_up(door: Door) -> None:
    """Forty officers behind one office address sign in at eight: none is refused, because
    only failures count against an address."""
    for n in range(40):
        door.person(f"karo-office-{n}")
        door.set_password(f"karo-office-{n}")
    answers = [
        door.sign_in(f"karo-office-{n}@karo.example", PASSWORD, address="203.0.113.80")
        for n in range(40)
    ]
    assert [a.status_code for a in answers] == [200] * 40
