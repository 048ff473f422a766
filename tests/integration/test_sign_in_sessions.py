"""People's sessions on the real MongoDB: one token for intake, triage and notify, and every
way it ends (sign-out, everywhere, idle, absolute, the directory changing the person); what
the console's own key may do; supervisors watching their regency's sessions; the sign-in log.

Intake runs as a real HTTP server here, so that triage and notify check the token the way
they do in production: by asking intake's whoami, and keeping the answer a few seconds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from services.cli.infra import free_port
from services.intake.access import sessions
from services.intake.access.sign_in import Door as SignInDoor
from services.intake.access.sign_in import SignInRefused, _start_session
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.deps import IntakeDeps
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerPatch
from services.notify.app import create_app as create_notify
from services.triage.app import create_app as create_triage
from shared.settings import Settings
from tests.support.door import Door, bearer, totp
from tests.support.waiting import eventually


@pytest.fixture
def intake_app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def door(intake_app: Flask) -> Door:
    return Door.open(intake_app.test_client())


@pytest.fixture
def services(settings: Settings, intake_app: Flask) -> Iterator[dict[str, FlaskClient]]:
    """Triage and notify asking a live intake who a token belongs to."""
    port = free_port()
    server = make_server("127.0.0.1", port, intake_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    remote = settings.model_copy(update={"intake_url": f"http://127.0.0.1:{port}"})
    yield {
        "triage": create_triage(settings=remote).test_client(),
        "notify": create_notify({"TESTING": True}, settings=remote).test_client(),
    }
    server.shutdown()
    thread.join(10)


def works(client: FlaskClient, token: str, path: str = "/v1/auth/whoami") -> bool:
    return client.get(path, headers=bearer(token)).status_code != 401


TRIAGE_READ = "/v1/clocks?case_id=000000000000000000000000"
NOTIFY_READ = "/v1/recipients/karo-se-1/preferences"


def everywhere(door: Door, services: dict[str, FlaskClient], token: str) -> dict[str, bool]:
    return {
        "intake": works(door.client, token),
        "triage": works(services["triage"], token, TRIAGE_READ),
        "notify": works(services["notify"], token, NOTIFY_READ),
    }


ALL_WORK = {"intake": True, "triage": True, "notify": True}
NONE_WORK = {"intake": False, "triage": False, "notify": False}


# --- one token, every service ---------------------------------------------------------------


def test_a_session_works_on_intake_triage_and_notify_and_sign_out_ends_it(
    door: Door, services: dict[str, FlaskClient]
) -> None:
    door.person("karo-se-1")
    token = door.session("karo-se-1")
    assert everywhere(door, services, token) == ALL_WORK
    assert door.client.delete("/v1/account/session", headers=bearer(token)).status_code == 204
    assert not works(door.client, token)  # intake: at once
    eventually(lambda: everywhere(door, services, token) == NONE_WORK, timeout=20)


def test_sign_out_everywhere_ends_every_session_of_the_person(
    door: Door, services: dict[str, FlaskClient]
) -> None:
    door.person("karo-se-2")
    door.person("karo-se-3")
    phone = door.session("karo-se-2")
    laptop = door.sign_in("karo-se-2@karo.example").get_json()["token"]
    colleague = door.session("karo-se-3")
    ended = door.client.post("/v1/account/sessions/end-all", headers=bearer(phone))
    assert ended.get_json() == {"ended": 2}
    assert not works(door.client, phone)
    assert not works(door.client, laptop)
    assert works(door.client, colleague)
    eventually(lambda: not works(services["triage"], laptop, TRIAGE_READ), timeout=20)


def test_a_session_ends_after_the_idle_limit(door: Door) -> None:
    door.person("karo-se-4")
    token = door.session("karo-se-4")
    assert works(door.client, token)
    sessions.collection().update_many(
        {"officer_id": "karo-se-4"},
        {"$set": {"last_seen_at": datetime.now(UTC) - timedelta(minutes=31)}},
    )
    assert not works(door.client, token)


def test_use_keeps_a_session_alive_within_the_idle_limit(door: Door) -> None:
    door.person("karo-se-5")
    token = door.session("karo-se-5")
    sessions.collection().update_many(
        {"officer_id": "karo-se-5"},
        {"$set": {"last_seen_at": datetime.now(UTC) - timedelta(minutes=29)}},
    )
    assert works(door.client, token)  # used now: the idle clock starts again
    doc = sessions.collection().find_one({"officer_id": "karo-se-5"})
    assert doc is not None
    assert datetime.now(UTC) - doc["last_seen_at"] < timedelta(minutes=1)


def test_a_session_ends_at_the_absolute_limit_however_busy(door: Door) -> None:
    door.person("karo-se-6")
    token = door.session("karo-se-6")
    doc = sessions.collection().find_one({"officer_id": "karo-se-6"})
    assert doc is not None
    assert doc["expires_at"] - doc["created_at"] == timedelta(hours=12)
    sessions.collection().update_many(
        {"officer_id": "karo-se-6"},
        {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}},
    )
    assert not works(door.client, token)


@pytest.mark.parametrize(
    "change",
    [
        {"active": False},
        {"role": "supervisor"},
        {"region": "12.07"},
    ],
)
def test_a_supervisors_change_of_the_person_ends_their_sessions(
    door: Door, services: dict[str, FlaskClient], change: dict[str, object]
) -> None:
    door.person("karo-se-7")
    # The province's operator: a supervisor could not move someone out of their regency.
    door.person("sumut-se-op", role="operator", region="12")
    boss, _ = door.enrolled_session("sumut-se-op")
    token = door.session("karo-se-7")
    assert everywhere(door, services, token) == ALL_WORK
    if change == {"active": False}:
        answer = door.client.delete("/v1/officers/karo-se-7", headers=bearer(boss))
    else:
        answer = door.client.patch(
            "/v1/officers/karo-se-7", json={"version": 1, **change}, headers=bearer(boss)
        )
    assert answer.status_code in (200, 204), answer.get_json()
    assert not works(door.client, token)  # intake: at once
    eventually(lambda: everywhere(door, services, token) == NONE_WORK, timeout=20)


def test_a_change_of_other_fields_keeps_the_session(door: Door) -> None:
    door.person("karo-se-8")
    token = door.session("karo-se-8")
    directory.update(
        "karo-se-8", OfficerPatch(version=1, language="en"), actor=directory.actor_of("test")
    )
    assert works(door.client, token)


def test_a_session_opened_from_an_entry_changed_meanwhile_ends(intake_app: Flask) -> None:
    # The sign-in read the entry, then a supervisor made the person a supervisor (ending the
    # sessions there were) before the session was written: it must not live on as an officer.
    door = Door.open(intake_app.test_client())
    before = door.person("karo-se-9")
    directory.update(
        "karo-se-9", OfficerPatch(version=1, role="supervisor"), actor=directory.actor_of("test")
    )
    deps: IntakeDeps = intake_app.extensions["pantau.intake"]
    signing_in: SignInDoor = deps.door
    with pytest.raises(SignInRefused):
        _start_session(signing_in, before, False, sessions.Client(), datetime.now(UTC))
    assert sessions.collection().count_documents({"officer_id": "karo-se-9"}) == 0


# --- the console's own key ------------------------------------------------------------------

DOOR_ROUTES = {"/v1/auth/whoami"}
PUBLIC = {
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/static/<path:filename>",
    "/v1/track/<code>",  # reporters follow their report with its code, without any key
}


def test_the_console_key_opens_the_door_and_nothing_else(door: Door, intake_app: Flask) -> None:
    case_paths = []
    for rule in intake_app.url_map.iter_rules():
        if rule.rule in PUBLIC or rule.rule in DOOR_ROUTES or rule.rule.startswith("/v1/auth/"):
            continue
        if rule.rule.startswith("/open311/v2/services"):
            continue  # GeoReport's service list is public by design
        path = rule.rule.replace("<fmt>", "json")
        for name in ("case_id", "evidence_id", "other_id", "export_id", "request_id"):
            path = path.replace(f"<{name}>", "0" * 24)
        path = path.replace("<", "").replace(">", "").replace("path:", "")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            answer = door.client.open(
                path, method=method, json={}, headers=bearer(door.console_key)
            )
            assert answer.status_code == 403, (method, rule.rule, answer.status_code)
            case_paths.append(rule.rule)
    assert "/v1/cases" in case_paths
    assert "/v1/cases/<case_id>" in case_paths
    assert door.post("/v1/auth/links/inspect", {"token": "x"}).status_code == 200


# --- watching the door ----------------------------------------------------------------------


def test_a_supervisor_lists_and_ends_only_their_regencys_sessions(door: Door) -> None:
    door.person("karo-se-10")
    door.person("bkl-se-1", region="17.71", email="bkl-se-1@bengkulukota.example")
    door.person("karo-se-boss", role="supervisor")
    own = door.session("karo-se-10")
    far = door.session("bkl-se-1")
    boss, _ = door.enrolled_session("karo-se-boss")
    listed = door.client.get("/v1/sessions", headers=bearer(boss)).get_json()["items"]
    people = {item["officer_id"] for item in listed}
    assert "karo-se-10" in people
    assert "karo-se-boss" in people
    assert "bkl-se-1" not in people
    assert all("secret_hash" not in item for item in listed)
    far_id = sessions.prefix_of(far)
    own_id = sessions.prefix_of(own)
    refused = door.client.delete(f"/v1/sessions/{far_id}", headers=bearer(boss))
    assert refused.status_code == 404
    assert works(door.client, far)
    ended = door.client.delete(f"/v1/sessions/{own_id}", headers=bearer(boss))
    assert ended.status_code == 204
    assert not works(door.client, own)
    log = door.client.get(
        "/v1/sign-in-log?officer=karo-se-10", headers=bearer(door.key("operator", "12"))
    ).get_json()["items"]
    revoked = [e for e in log if e["event"] == "session_revoked"]
    assert revoked
    assert revoked[0]["by"]["officer_id"] == "karo-se-boss"


def test_the_sign_in_log_has_every_step(door: Door, intake_app: Flask) -> None:
    door.person("karo-se-11")
    door.person("karo-se-12", role="supervisor")
    door.set_password("karo-se-11")
    door.sign_in("karo-se-11@karo.example", "bukan kata sandinya sama sekali")
    token = door.sign_in("karo-se-11@karo.example").get_json()["token"]
    door.client.delete("/v1/account/session", headers=bearer(token))
    token = door.sign_in("karo-se-11@karo.example").get_json()["token"]
    door.client.post("/v1/account/sessions/end-all", headers=bearer(token))
    idle = door.sign_in("karo-se-11@karo.example").get_json()["token"]
    sessions.collection().update_many(
        {"officer_id": "karo-se-11"},
        {"$set": {"last_seen_at": datetime.now(UTC) - timedelta(hours=1)}},
    )
    works(door.client, idle)
    door.post("/v1/auth/password-resets", {"email": "karo-se-11@karo.example"})
    spent = door.link("karo-se-11")
    door.accept(spent)
    door.accept(spent)
    session, secret = door.enrolled_session("karo-se-12")
    challenge = door.sign_in("karo-se-12@karo.example").get_json()["token"]
    door.code(challenge, "000000" if totp(secret, 1) != "000000" else "111111")
    directory.update(
        "karo-se-11",
        OfficerPatch(version=1, unit="INSPEKTORAT", role="supervisor"),
        actor=directory.actor_of("test"),
    )
    auditor = door.key("auditor", "12")
    items = door.client.get("/v1/sign-in-log?limit=500", headers=bearer(auditor)).get_json()[
        "items"
    ]
    events = {e["event"] for e in items}
    assert {
        "failed",
        "signed_in",
        "signed_out",
        "signed_out_everywhere",
        "session_expired",
        "reset_issued",
        "invitation_issued",
        "password_set",
        "link_refused",
        "second_factor_required",
        "second_factor_enabled",
        "second_factor_failed",
        "sessions_ended",
    } <= events
    # Where from, as the console saw it: the address and the browser of the password step.
    assert any(
        (e["event"], e["officer_id"], e["address"], e["agent"])
        == ("signed_in", "karo-se-11", "203.0.113.7", "pytest")
        for e in items
    )
    # Nothing secret is logged: no password, no token.
    text = str(items)
    assert "kerbau" not in text
    assert spent not in text
    assert session not in text
