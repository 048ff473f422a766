"""Every route of every app, called without a key, with a revoked key, from another tenant and
with too small a role. The route tables below must name every rule of the app's url_map, so a
route added later without a row here fails the test instead of going unchecked.

Intake checks its own keys. Triage and notify ask intake across the service boundary; here an
authenticator that maps test tokens to principals stands in for that call.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from services.cli.mailbox import MailSink
from services.intake.access import sessions
from services.intake.access.keys import create_key, revoke
from services.intake.access.sessions import Client, Lifetimes
from services.intake.app import create_app as create_intake
from services.intake.bootstrap import ensure_indexes as intake_indexes
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerCreate
from services.notify.app import create_app as create_notify
from services.notify.delivery import handle as notify_handle
from services.triage.api_access import EXTENSION as TRIAGE_EXTENSION
from services.triage.app import create_app as create_triage
from services.triage.bootstrap import ensure_indexes as triage_indexes
from services.triage.deps import TriageDeps
from services.triage.new_cases import handle_case_submitted
from services.triage.rules_files import default_rules_text
from shared.auth import ANYONE, OVERSEERS, ROLES, Principal
from shared.problems import PROBLEM_JSON
from shared.settings import Settings
from tests.integration.test_notify_delivery import assigned, notify_deps_for, officer
from tests.security.support import (
    KALTIM,
    KARO,
    OTHER_REGENCY,
    REPORTER,
    SUMUT,
    auth,
    key,
    submit,
    upload_pdf,
)
from tests.unit.triage.builders import FakeClock, envelope_of, submitted

ALL = frozenset(ROLES)
# Any office system or person; not the console's own service roles (console, public).
STAFF_OR_SYSTEM = frozenset(ANYONE)
# The roles a person signed in to the console can have (the rest are systems' keys).
PEOPLE = ("officer", "supervisor", "operator", "auditor")
LIFETIMES = Lifetimes(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


@dataclass(frozen=True)
class Route:
    """One rule of an app and how to call it.

    ``roles`` None means public. ``scoped`` means the path names one tenant's resource, so a
    caller of another tenant must get 404. ``body`` builds the request's keyword arguments.
    """

    method: str
    rule: str
    roles: frozenset[str] | None
    path: Callable[[dict[str, str]], str]
    scoped: bool = False
    body: Callable[[], dict[str, Any]] = field(default=lambda: {})
    georeport: bool = False  # Open311 answers errors as a GeoReport list, not problem+json
    # Only a person signed in to the console (a session) may: an API key of an allowed role
    # is refused too.
    person: bool = False
    # The answer each allowed role gets in its own area, called in the order of ROLES (some
    # calls change what the next one finds: a status moved, a key revoked): ``ok`` unless
    # ``answers`` names the role. A role not in ``roles`` gets 403.
    ok: int = 200
    answers: Mapping[str, int] = field(default_factory=dict)

    def expected(self, role: str) -> int:
        """What ``role`` must get from this route in its own area."""
        if self.roles is not None and role not in self.roles:
            return 403
        return self.answers.get(role, self.ok)


def call(client: FlaskClient, route: Route, world: dict[str, str], token: str | None) -> Any:
    headers = auth(token) if token else {}
    return client.open(route.path(world), method=route.method, headers=headers, **route.body())


def assert_refusal(answer: TestResponse, status: int, route: Route) -> None:
    assert answer.status_code == status, (route.method, route.rule, answer.data[:300])
    if route.georeport:
        body = answer.get_json()
        assert isinstance(body, list), body
        assert body[0]["code"] == status, body
    else:
        assert answer.mimetype == PROBLEM_JSON, (route.rule, answer.mimetype)
        assert answer.get_json()["status"] == status


def assert_covers(app: Flask, routes: list[Route]) -> None:
    """Every rule of the app, with every method, has a row: nothing escapes the checks."""
    declared = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert declared == {(r.method, r.rule) for r in routes}


def roles_for(route: Route) -> frozenset[str]:
    assert route.roles is not None
    return route.roles


# ============================================================================ intake

SUBMIT = frozenset({"submitter", "supervisor", "operator"})
UPLOAD = frozenset({"submitter", "supervisor", "operator", "officer"})
VIEW = frozenset({"officer", "supervisor", "operator", "auditor"})
REVEAL = frozenset({"supervisor"})  # the default PANTAU_REVEAL_ROLES
ACT = frozenset({"officer", "supervisor", "operator"})  # officers' actions on a case
MANAGE = frozenset({"supervisor", "operator"})  # reopen, reassign, transfer, the directory
OFFICER_LIST = frozenset({"supervisor", "operator", "auditor"})  # directory, statistics
PUBLIC = frozenset({"public"})  # citizens' reports and answers, through the console
DOOR = frozenset({"console"})  # signing people in
OPERATOR = frozenset({"operator"})  # the province's administrators


def _json(payload: Any) -> Callable[[], dict[str, Any]]:
    return lambda: {"json": payload}


def _pdf_upload() -> dict[str, Any]:
    return {
        "data": {"file": [(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "b.pdf", "application/pdf")]},
        "content_type": "multipart/form-data",
    }


def _public_part(name: str, payload: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "data": {name: json.dumps(payload)},
        "content_type": "multipart/form-data",
    }


def _open311_form() -> dict[str, Any]:
    return {"data": {"service_code": "MEDSOS", "description": "ASN berkampanye di Facebook"}}


# Flask's static route of every app: there are no static files, it answers 404 to anyone.
STATIC = Route("GET", "/static/<path:filename>", None, lambda w: "/static/nothing.txt", ok=404)

INTAKE_ROUTES = [
    STATIC,
    # What an operator reads of the pipeline, and the messages parked on this service's
    # queue; no fixture parks one here, so only the role and key checks apply.
    Route("GET", "/v1/pipeline", OPERATOR, lambda w: "/v1/pipeline"),
    Route("GET", "/v1/parked", OPERATOR, lambda w: "/v1/parked"),
    Route(
        "POST",
        "/v1/parked/<ident>/replay",
        OPERATOR,
        lambda w: f"/v1/parked/{uuid.uuid4().hex}/replay",
        ok=404,
    ),
    Route("GET", "/healthz", None, lambda w: "/healthz"),
    Route("GET", "/readyz", None, lambda w: "/readyz"),
    Route("GET", "/metrics", None, lambda w: "/metrics"),
    Route("GET", "/openapi.json", None, lambda w: "/openapi.json"),
    Route("GET", "/v1/track/<code>", None, lambda w: f"/v1/track/{w['tracking_code']}"),
    # The public pages' key files for every regency of the deployment and answers by code
    # alone; no other role reaches these two, and the public key reaches nothing else.
    Route(
        "POST",
        "/v1/public/reports",
        PUBLIC,
        lambda w: "/v1/public/reports",
        body=_public_part("report", {"region_code": "12.06"}),
        ok=422,
    ),
    Route(
        "POST",
        "/v1/track/<code>/answer",
        PUBLIC,
        lambda w: "/v1/track/AAAA-BBBB-CCCC-DDDD/answer",
        body=_public_part("answer", {"text": "jawaban"}),
        ok=404,
    ),
    Route(
        "GET",
        "/open311/v2/services.<fmt>",
        None,
        lambda w: "/open311/v2/services.json",
        georeport=True,
    ),
    # GeoReport clients read service definitions before they have a key: public by design.
    Route(
        "GET",
        "/open311/v2/services/<service_code>.<fmt>",
        None,
        lambda w: "/open311/v2/services/MEDSOS.json",
        georeport=True,
    ),
    Route("GET", "/v1/auth/whoami", ALL, lambda w: "/v1/auth/whoami"),
    Route("POST", "/v1/cases", SUBMIT, lambda w: "/v1/cases", body=_json({"title": "x"}), ok=422),
    Route(
        "POST",
        "/v1/cases:batch",
        SUBMIT,
        lambda w: "/v1/cases:batch",
        body=_json({"cases": [{"title": "x"}]}),
    ),
    Route("GET", "/v1/cases", STAFF_OR_SYSTEM, lambda w: "/v1/cases"),
    Route(
        "GET",
        "/v1/cases/<case_id>",
        STAFF_OR_SYSTEM,
        lambda w: f"/v1/cases/{w['case_id']}",
        scoped=True,
    ),
    Route(
        "POST",
        "/v1/cases/<case_id>/reporter:reveal",
        REVEAL,
        lambda w: f"/v1/cases/{w['case_id']}/reporter:reveal",
        scoped=True,
        body=_json({"reason": "verifikasi identitas pelapor untuk klarifikasi"}),
    ),
    Route("GET", "/v1/access-log", frozenset({"auditor", "operator"}), lambda w: "/v1/access-log"),
    Route(
        "POST",
        "/v1/keys",
        frozenset({"operator"}),
        lambda w: "/v1/keys",
        body=_json({"name": "x", "region": "12", "role": "nope"}),
        ok=422,
    ),
    Route("GET", "/v1/keys", frozenset({"operator", "auditor"}), lambda w: "/v1/keys"),
    Route(
        "DELETE",
        "/v1/keys/<prefix>",
        frozenset({"operator"}),
        lambda w: f"/v1/keys/{w['victim_prefix']}",
        scoped=True,
        ok=204,
    ),
    # The first allowed role (the submitter, in ROLES order) stores the file; the same file
    # again is already held (200).
    Route(
        "POST",
        "/v1/cases/<case_id>/evidence",
        UPLOAD,
        lambda w: f"/v1/cases/{w['case_id']}/evidence",
        scoped=True,
        body=_pdf_upload,
        ok=201,
        answers={"officer": 200, "supervisor": 200, "operator": 200},
    ),
    Route(
        "GET",
        "/v1/cases/<case_id>/evidence",
        VIEW,
        lambda w: f"/v1/cases/{w['case_id']}/evidence",
        scoped=True,
    ),
    Route(
        "GET",
        "/v1/cases/<case_id>/evidence/<evidence_id>",
        VIEW,
        lambda w: f"/v1/cases/{w['case_id']}/evidence/{w['evidence_id']}",
        scoped=True,
    ),
    Route(
        "GET",
        "/v1/cases/<case_id>/evidence/<evidence_id>/content",
        VIEW,
        lambda w: f"/v1/cases/{w['case_id']}/evidence/{w['evidence_id']}/content",
        scoped=True,
    ),
    # Officers' actions name version 1, stale since the evidence upload: each allowed role
    # reaches the version check (409) and nothing changes; a reassignment to an officer not
    # in the directory is refused first (422), a duplicate that does not exist is 404.
    *[
        Route(
            "POST",
            f"/v1/cases/<case_id>/{action}",
            roles,
            lambda w, action=action: f"/v1/cases/{w['case_id']}/{action}",  # type: ignore[misc]
            scoped=True,
            body=_json({"version": 1, **payload}),
            ok=ok,
        )
        for action, roles, payload, ok in (
            ("status", ACT, {"status": "verified"}, 409),
            ("reopen", MANAGE, {"reason": "bukti baru"}, 409),
            ("acknowledge", ACT, {}, 409),
            ("comments", ACT, {"text": "catatan"}, 409),
            ("information-requests", ACT, {"question": "Mohon kirim bukti asli."}, 409),
            ("reassign", MANAGE, {"officer_id": "karo-bkpsdm-1", "reason": "cuti"}, 422),
            ("transfer", MANAGE, {"region_code": "12.07", "reason": "lintas kabupaten"}, 409),
            ("duplicates", ACT, {"case_id": "0" * 24}, 404),
        )
    ],
    Route(
        "DELETE",
        "/v1/cases/<case_id>/duplicates/<other_id>",
        ACT,
        lambda w: f"/v1/cases/{w['case_id']}/duplicates/{'0' * 24}?version=1",
        scoped=True,
        ok=409,
    ),
    Route(
        "GET",
        "/v1/cases/<case_id>/audit",
        frozenset({"supervisor", "operator", "auditor"}),
        lambda w: f"/v1/cases/{w['case_id']}/audit",
        scoped=True,
    ),
    Route("GET", "/v1/officers", OFFICER_LIST, lambda w: "/v1/officers"),
    Route(
        "POST",
        "/v1/officers",
        MANAGE,
        lambda w: "/v1/officers",
        body=_json({"officer_id": "karo-bkpsdm-9", "region": "12.06", "unit": "BKPSDM"}),
        ok=422,
    ),
    # An officer reads only their own entry, with a key that names them; these keys do not.
    Route(
        "GET",
        "/v1/officers/<officer_id>",
        OFFICER_LIST,
        lambda w: f"/v1/officers/{w['officer_id']}",
        scoped=True,
    ),
    Route(
        "PATCH",
        "/v1/officers/<officer_id>",
        MANAGE,
        lambda w: f"/v1/officers/{w['officer_id']}",
        scoped=True,
        body=_json({"version": 99, "language": "en"}),
        ok=409,
    ),
    Route(
        "DELETE",
        "/v1/officers/<officer_id>",
        MANAGE,
        lambda w: f"/v1/officers/{w['officer_id']}",
        scoped=True,
        answers={"operator": 409},  # the supervisor deactivated the entry before
    ),
    Route(
        "POST",
        "/v1/exports",
        VIEW,
        lambda w: "/v1/exports",
        body=_json({"status": "withdrawn"}),
        ok=202,
    ),
    # An export job belongs to the region of the key that asked for it (Karo's supervisor):
    # the province's keys do not see it; it is still queued, so its file is not ready (409).
    Route(
        "GET",
        "/v1/exports/<export_id>",
        VIEW,
        lambda w: f"/v1/exports/{w['export_id']}",
        scoped=True,
        answers={"operator": 404, "auditor": 404},
    ),
    Route(
        "GET",
        "/v1/exports/<export_id>/download",
        VIEW,
        lambda w: f"/v1/exports/{w['export_id']}/download",
        scoped=True,
        ok=409,
        answers={"operator": 404, "auditor": 404},
    ),
    Route("GET", "/v1/statistics", OFFICER_LIST, lambda w: "/v1/statistics"),
    # The team board and the people page: an area's figures and sign-in states, never another's.
    Route("GET", "/v1/workload", OFFICER_LIST, lambda w: "/v1/workload"),
    Route("GET", "/v1/accounts", OFFICER_LIST, lambda w: "/v1/accounts"),
    Route(
        "POST",
        "/open311/v2/requests.<fmt>",
        SUBMIT,
        lambda w: "/open311/v2/requests.json",
        body=_open311_form,
        georeport=True,
        ok=400,
    ),
    Route(
        "GET",
        "/open311/v2/requests/<request_id>.<fmt>",
        STAFF_OR_SYSTEM,
        lambda w: f"/open311/v2/requests/{w['case_id']}.json",
        scoped=True,
        georeport=True,
    ),
    Route(
        "GET",
        "/open311/v2/requests.<fmt>",
        STAFF_OR_SYSTEM,
        lambda w: "/open311/v2/requests.json",
        georeport=True,
    ),
    # The console's door: only its own key (role console), with the person's credentials in
    # the body; an empty body is refused as invalid once the role is let in.
    *[
        Route("POST", rule, DOOR, lambda w, rule=rule: rule, body=_json({}), ok=422)  # type: ignore[misc]
        for rule in (
            "/v1/auth/sign-in",
            "/v1/auth/second-factor",
            "/v1/auth/second-factor/enrolment",
            "/v1/auth/second-factor/enrolment/confirm",
            "/v1/auth/links/inspect",
            "/v1/auth/links/accept",
            "/v1/auth/password-resets",
        )
    ],
    # A person's own account: their session only.
    Route("GET", "/v1/account", VIEW, lambda w: "/v1/account", person=True),
    Route(
        "DELETE", "/v1/account/session", VIEW, lambda w: "/v1/account/session", person=True, ok=204
    ),
    Route(
        "POST",
        "/v1/account/sessions/end-all",
        VIEW,
        lambda w: "/v1/account/sessions/end-all",
        person=True,
    ),
    Route(
        "POST",
        "/v1/account/second-factor",
        VIEW,
        lambda w: "/v1/account/second-factor",
        person=True,
    ),
    Route(
        "POST",
        "/v1/account/second-factor/confirm",
        VIEW,
        lambda w: "/v1/account/second-factor/confirm",
        person=True,
        body=_json({}),
        ok=422,
    ),
    Route(
        "POST",
        "/v1/account/second-factor/remove",
        VIEW,
        lambda w: "/v1/account/second-factor/remove",
        person=True,
        body=_json({}),
        ok=422,
    ),
    # Watching the door of one's area.
    Route("GET", "/v1/sessions", OFFICER_LIST, lambda w: "/v1/sessions"),
    Route(
        "DELETE",
        "/v1/sessions/<session_id>",
        MANAGE,
        lambda w: f"/v1/sessions/{victim_session()}",
        scoped=True,
        ok=204,
    ),
    Route(
        "POST",
        "/v1/officers/<officer_id>/invitations",
        MANAGE,
        lambda w: f"/v1/officers/{w['officer_id']}/invitations",
        scoped=True,
        ok=409,
    ),
    Route(
        "GET", "/v1/sign-in-log", frozenset({"auditor", "operator"}), lambda w: "/v1/sign-in-log"
    ),
]


def victim_session() -> str:
    """A fresh session of the Karo officer karo-sec-1 (each call: one to end)."""
    entry = directory.get("karo-sec-1")
    assert entry is not None
    token = sessions.start(
        entry, second_factor=False, client=Client(), lifetimes=LIFETIMES, now=datetime.now(UTC)
    )
    prefix = sessions.prefix_of(token)
    assert prefix is not None
    return prefix


@dataclass
class IntakeWorld:
    client: FlaskClient
    ids: dict[str, str]
    own: dict[str, str]  # a Karo key per role (the operator and auditor are provincial)
    stranger: dict[str, str]  # the same for another province
    revoked: str
    neighbour: str  # another office system's submitter key in Karo, which did not file the case

    def person(self, role: str, *, stranger: bool = False) -> str:
        """A fresh session of the person of ``role`` on that side (each call: a new one, as
        some routes end the session they are called with)."""
        entry = directory.get(f"{'far' if stranger else 'karo'}-sec-{role}")
        assert entry is not None
        return sessions.start(
            entry, second_factor=True, client=Client(), lifetimes=LIFETIMES, now=datetime.now(UTC)
        )

    def caller(self, route: Route, role: str, *, stranger: bool = False) -> str:
        """The token that calls ``route`` as ``role``: a person's session where the route
        wants one and the role can be a person, else the role's key."""
        if route.person and role in PEOPLE:
            return self.person(role, stranger=stranger)
        return (self.stranger if stranger else self.own)[role]


@pytest.fixture
def intake(settings: Settings) -> IntakeWorld:
    app = create_intake(settings=settings.model_copy(update={"track_rate_per_minute": 1000}))
    intake_indexes()
    client = app.test_client()

    def keys_of(regency: str, province: str) -> dict[str, str]:
        return {
            role: key(province if role in ("operator", "auditor") else regency, role)
            for role in ROLES
        }

    own, stranger = keys_of(KARO, SUMUT), keys_of(OTHER_REGENCY, KALTIM)
    # Filed by Karo's submitter key, so that key reads it (as its filer) and a neighbour's
    # submitter key of the same regency does not.
    case = submit(client, own["submitter"], reporter=REPORTER)
    uploaded = upload_pdf(client, case["id"], own["supervisor"])
    assert uploaded.status_code == 201, uploaded.get_json()
    revoked, record = create_key(name="dicabut", region=KARO, role="operator")
    assert revoke(record.prefix)
    victim = create_key(name="korban", region=KARO, role="officer")[1]
    directory.create(
        OfficerCreate(officer_id="karo-sec-1", region=KARO, unit="BKPSDM", name="Petugas Uji"),
        actor={"name": "test"},
    )
    # One person per role on each side, to sign in as (operators and auditors: the province).
    for side, regency, province in (("karo", KARO, SUMUT), ("far", OTHER_REGENCY, KALTIM)):
        for role in PEOPLE:
            provincial = role in ("operator", "auditor")
            entry = OfficerCreate.model_validate(
                {
                    "officer_id": f"{side}-sec-{role}",
                    "region": province if provincial else regency,
                    "unit": "PROVINSI" if provincial else "BKPSDM",
                    "role": role,
                    "name": f"Orang {role} {side}",
                }
            )
            directory.create(entry, actor={"name": "test"})
    export = client.post("/v1/exports", json={}, headers=auth(own["supervisor"]))
    assert export.status_code == 202, export.get_json()
    ids = {
        "officer_id": "karo-sec-1",
        "export_id": export.get_json()["id"],
        "case_id": case["id"],
        "tracking_code": case["tracking_code"],
        "evidence_id": uploaded.get_json()["items"][0]["id"],
        "victim_prefix": victim.prefix,
    }
    return IntakeWorld(client, ids, own, stranger, revoked, key(KARO, "submitter"))


def test_intake_another_submitters_case_is_one_that_does_not_exist(intake: IntakeWorld) -> None:
    """Every route that names a case answers a submitter key of the same regency that did not
    file it exactly as it answers a case id that does not exist: no enumeration."""
    missing = {**intake.ids, "case_id": str(ObjectId())}
    checked = 0
    for route in INTAKE_ROUTES:
        names_a_case = "<case_id>" in route.rule or "<request_id>" in route.rule
        if route.roles is None or not names_a_case:
            continue
        theirs = call(intake.client, route, intake.ids, intake.neighbour)
        nothing = call(intake.client, route, missing, intake.neighbour)
        assert theirs.status_code == nothing.status_code, (route.rule, theirs.status_code)
        assert _without_request(theirs) == _without_request(nothing), route.rule
        if "submitter" in route.roles or route.rule.endswith("reporter:reveal"):
            assert theirs.status_code == 404, route.rule
            checked += 1
    # GET /v1/cases/<id>, the reveal, the evidence upload and Open311's request.
    assert checked == 4
    # The filer itself reads it.
    own = intake.client.get(
        f"/v1/cases/{intake.ids['case_id']}", headers=auth(intake.own["submitter"])
    )
    assert own.status_code == 200


def _without_request(answer: TestResponse) -> Any:
    """The body without what differs between any two requests (their id and path)."""
    body = answer.get_json(silent=True)
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in ("request_id", "instance")}
    return body


def test_intake_route_table_covers_the_whole_app(settings: Settings) -> None:
    assert_covers(create_intake(settings=settings), INTAKE_ROUTES)


def test_intake_without_a_key_answers_401_except_public_routes(intake: IntakeWorld) -> None:
    for route in INTAKE_ROUTES:
        answer = call(intake.client, route, intake.ids, None)
        if route.roles is None:
            assert answer.status_code != 401, route.rule
        else:
            assert_refusal(answer, 401, route)
            assert "WWW-Authenticate" in answer.headers, route.rule


def test_intake_revoked_key_answers_401(intake: IntakeWorld) -> None:
    for route in INTAKE_ROUTES:
        if route.roles is not None:
            assert_refusal(call(intake.client, route, intake.ids, intake.revoked), 401, route)


def test_intake_ended_session_answers_401(intake: IntakeWorld) -> None:
    ended = intake.person("supervisor")
    prefix = sessions.prefix_of(ended)
    assert prefix is not None
    assert sessions.end(prefix) is not None
    for route in INTAKE_ROUTES:
        if route.roles is not None:
            assert_refusal(call(intake.client, route, intake.ids, ended), 401, route)


def test_intake_other_tenant_gets_404_and_no_data(intake: IntakeWorld) -> None:
    secrets = (intake.ids["case_id"], intake.ids["tracking_code"], "Rudi Ginting")
    for route in INTAKE_ROUTES:
        if route.roles is None:
            continue
        for role in sorted(roles_for(route)):
            answer = call(
                intake.client, route, intake.ids, intake.caller(route, role, stranger=True)
            )
            text = answer.get_data(as_text=True)
            if route.scoped:
                assert_refusal(answer, 404, route)
                # The problem may echo the path (as instance) but nothing read from the case.
                assert "Rudi Ginting" not in text
                assert intake.ids["tracking_code"] not in text
            else:
                # Listings and searches answer, but hold nothing of the other tenant.
                assert answer.status_code not in (401, 403), (route.rule, role, text[:300])
                assert not any(s in text for s in secrets), (route.rule, role)


def test_intake_every_role_gets_its_expected_answer(intake: IntakeWorld) -> None:
    """Every route x role pair of the table, with the answer it must get: 403 for a role the
    route is not for, the route's expected answer for the others."""
    wrong = []
    for route in INTAKE_ROUTES:
        for role in ROLES:
            token = intake.caller(route, role) if route.roles is not None else intake.own[role]
            answer = call(intake.client, route, intake.ids, token)
            if answer.status_code != route.expected(role):
                wrong.append((route.method, route.rule, role, answer.status_code))
                continue
            if route.expected(role) == 403:
                assert_refusal(answer, 403, route)
            if route.person:
                # A system's key is no person, whatever its role.
                assert_refusal(call(intake.client, route, intake.ids, intake.own[role]), 403, route)
    assert wrong == [], "\n".join(map(str, wrong))
    # The victim key was revoked by the operator above, once; the second try says so.
    again = intake.client.delete(
        f"/v1/keys/{intake.ids['victim_prefix']}", headers=auth(intake.own["operator"])
    )
    assert again.status_code == 409


# ============================================================================ triage and notify

# Principals by token: a Karo one per role, another province's one per role, and tokens the
# authenticator does not know (an unknown or revoked key answers None, as intake would).
STANDIN: dict[str, Principal] = {
    **{
        f"own-{role}": Principal(
            f"po{role[:3]}",
            "karo-bkpsdm-1" if role == "officer" else f"{role} karo",
            SUMUT if role in ("operator", "auditor") else KARO,
            role,
        )
        for role in ROLES
    },
    **{
        f"stranger-{role}": Principal(
            f"ps{role[:3]}",
            "karo-bkpsdm-1" if role == "officer" else f"{role} kukar",
            KALTIM if role in ("operator", "auditor") else OTHER_REGENCY,
            role,
        )
        for role in ROLES
    },
}
REVOKED = "revoked-key"
COLLEAGUE = "karo-colleague"
STANDIN[COLLEAGUE] = Principal("pcol", "karo-bkpsdm-2", KARO, "officer")

TRIAGE_READ = frozenset({"officer", "supervisor", "operator", "auditor"})
TRIAGE_MANAGE = frozenset({"supervisor", "operator"})
KIND_RULE = "/v1/regions/<code>/<any(rules, routing, roster, calendar):kind>"

# Changes here carry only a reason, so each allowed role reaches the check of what to
# change (422) and nothing changes; a province's clusters are for provincial keys (a regency's
# key finds no such province: 404).
TRIAGE_ROUTES = [
    STATIC,
    Route("GET", "/healthz", None, lambda w: "/healthz"),
    Route("GET", "/readyz", None, lambda w: "/readyz"),
    Route("GET", "/metrics", None, lambda w: "/metrics"),
    Route("GET", "/openapi.json", None, lambda w: "/openapi.json"),
    Route(
        "GET",
        "/v1/regions/<code>/config",
        TRIAGE_READ,
        lambda w: f"/v1/regions/{KARO}/config",
        scoped=True,
    ),
    Route("GET", KIND_RULE, TRIAGE_READ, lambda w: f"/v1/regions/{KARO}/routing", scoped=True),
    Route(
        "PUT",
        KIND_RULE,
        TRIAGE_MANAGE,
        lambda w: f"/v1/regions/{KARO}/routing",
        scoped=True,
        body=_json({"reason": "uji"}),
        ok=422,
    ),
    Route(
        "DELETE",
        KIND_RULE,
        TRIAGE_MANAGE,
        lambda w: f"/v1/regions/{KARO}/routing",
        scoped=True,
        body=_json({"reason": "uji"}),
    ),
    Route(
        "PATCH",
        "/v1/regions/<code>/roster/officers/<officer_id>",
        TRIAGE_MANAGE,
        lambda w: f"/v1/regions/{KARO}/roster/officers/karo-bkpsdm-1",
        scoped=True,
        body=_json({"reason": "uji"}),
        ok=422,
    ),
    Route(
        "GET",
        "/v1/regions/<code>/config/history",
        TRIAGE_READ,
        lambda w: f"/v1/regions/{KARO}/config/history?kind=routing",
        scoped=True,
    ),
    Route(
        "GET",
        "/v1/cases/<case_id>/triage",
        TRIAGE_READ,
        lambda w: f"/v1/cases/{w['case_id']}/triage",
        scoped=True,
    ),
    Route(
        "GET",
        "/v1/cases/<case_id>/triage/history",
        TRIAGE_READ,
        lambda w: f"/v1/cases/{w['case_id']}/triage/history",
        scoped=True,
    ),
    Route(
        "POST",
        "/v1/cases/<case_id>/triage/override",
        TRIAGE_MANAGE,
        lambda w: f"/v1/cases/{w['case_id']}/triage/override",
        scoped=True,
        body=_json({"reason": "uji"}),
        ok=422,
    ),
    # How often triage's proposals agreed with officers: for those who oversee a region, of
    # their own area only.
    Route(
        "GET",
        "/v1/triage/quality",
        frozenset(OVERSEERS),
        lambda w: f"/v1/triage/quality?days=30&region_code={KARO}",
        scoped=True,
    ),
    # A candidate rules version run over the region's labelled cases: for those who may
    # activate rules there.
    Route(
        "POST",
        "/v1/triage/evaluations",
        TRIAGE_MANAGE,
        lambda w: "/v1/triage/evaluations",
        scoped=True,
        body=_json({"region_code": KARO, "text": default_rules_text()}),
    ),
    # Not for submitters: the answer names the region's real cases a text would duplicate,
    # the officer it would go to and who recused.
    Route(
        "POST",
        "/v1/triage/dry-run",
        TRIAGE_READ,
        lambda w: "/v1/triage/dry-run",
        body=_json({"region_code": KARO, "title": "x"}),
        scoped=True,  # it names Karo: another tenant's caller gets 404
    ),
    # What an operator reads of the pipeline, and the messages parked on this service's
    # queue; no fixture parks one here, so only the role and key checks apply.
    Route("GET", "/v1/pipeline", OPERATOR, lambda w: "/v1/pipeline"),
    Route("GET", "/v1/parked", OPERATOR, lambda w: "/v1/parked"),
    Route(
        "POST",
        "/v1/parked/<ident>/replay",
        OPERATOR,
        lambda w: f"/v1/parked/{uuid.uuid4().hex}/replay",
        ok=404,
    ),
    # Clocks of cases the caller cannot see are left out: a listing, not a 404.
    Route("GET", "/v1/clocks", TRIAGE_READ, lambda w: f"/v1/clocks?case_id={w['case_id']}"),
    Route(
        "GET",
        "/v1/regions/<code>/working-days",
        TRIAGE_READ,
        lambda w: f"/v1/regions/{KARO}/working-days?ahead=3",
        scoped=True,
    ),
    Route(
        "GET",
        "/v1/provinces/<province>/clusters",
        TRIAGE_READ,
        lambda w: f"/v1/provinces/{SUMUT}/clusters",
        scoped=True,
        answers={"officer": 404, "supervisor": 404},
    ),
]


@pytest.fixture
def triage_world(settings: Settings) -> tuple[FlaskClient, dict[str, str], Flask]:
    app = create_triage(settings=settings)
    app.config["PANTAU_AUTHENTICATE"] = STANDIN.get
    deps: TriageDeps = app.extensions[TRIAGE_EXTENSION]
    deps.clock = FakeClock()
    triage_indexes()
    event = submitted(at=deps.clock())
    assert handle_case_submitted(envelope_of(event, KARO), event, deps)
    return app.test_client(), {"case_id": event.case_id}, app


def test_triage_route_table_covers_the_whole_app(
    triage_world: tuple[FlaskClient, dict[str, str], Flask],
) -> None:
    assert_covers(triage_world[2], TRIAGE_ROUTES)


def test_triage_access_rules(triage_world: tuple[FlaskClient, dict[str, str], Flask]) -> None:
    client, ids, _ = triage_world
    check_standin_app(client, ids, TRIAGE_ROUTES)


NOTIFY_HISTORY = frozenset({"officer", "supervisor", "operator", "auditor"})
NOTIFY_PREFS = frozenset({"officer", "supervisor", "operator"})

NOTIFY_ROUTES = [
    STATIC,
    Route("GET", "/healthz", None, lambda w: "/healthz"),
    Route("GET", "/readyz", None, lambda w: "/readyz"),
    Route("GET", "/metrics", None, lambda w: "/metrics"),
    Route("GET", "/openapi.json", None, lambda w: "/openapi.json"),
    Route(
        "GET",
        "/v1/cases/<case_id>/deliveries",
        NOTIFY_HISTORY,
        lambda w: f"/v1/cases/{w['case_id']}/deliveries",
        scoped=True,
    ),
    Route(
        "GET",
        "/v1/recipients/<officer_id>/preferences",
        NOTIFY_PREFS,
        lambda w: "/v1/recipients/karo-bkpsdm-1/preferences",
        scoped=True,
    ),
    Route(
        "PUT",
        "/v1/recipients/<officer_id>/preferences",
        NOTIFY_PREFS,
        lambda w: "/v1/recipients/karo-bkpsdm-1/preferences",
        scoped=True,
        body=_json({"channels": {"sms": {"min_priority": "urgent"}}}),
    ),
    # Parked messages are listed per tenant by the province's operator; no fixture parks one
    # here, so only the role and key checks apply.
    Route("GET", "/v1/pipeline", OPERATOR, lambda w: "/v1/pipeline"),
    Route("GET", "/v1/parked", OPERATOR, lambda w: "/v1/parked"),
    Route(
        "POST",
        "/v1/parked/<ident>/replay",
        OPERATOR,
        lambda w: f"/v1/parked/{uuid.uuid4().hex}/replay",
        ok=404,
    ),
    Route(
        "POST",
        "/v1/test-send",
        OPERATOR,
        lambda w: "/v1/test-send",
        scoped=True,
        body=_json({"officer_id": "karo-bkpsdm-1", "channel": "nope"}),
        ok=422,
    ),
]


@pytest.fixture
def notify_world(
    settings: Settings, mail_sink: MailSink
) -> tuple[FlaskClient, dict[str, str], Flask]:
    configured = settings.model_copy(update={"smtp_port": mail_sink.port})
    app = create_notify({"TESTING": True, "PANTAU_AUTHENTICATE": STANDIN.get}, settings=configured)
    nd = notify_deps_for(configured)
    envelope, event = assigned(officer(), case_id=str(uuid.uuid4().hex[:24]))
    notify_handle(envelope, event, nd)
    return app.test_client(), {"case_id": event.case_id}, app


def test_notify_route_table_covers_the_whole_app(
    notify_world: tuple[FlaskClient, dict[str, str], Flask],
) -> None:
    assert_covers(notify_world[2], NOTIFY_ROUTES)


def test_notify_access_rules(notify_world: tuple[FlaskClient, dict[str, str], Flask]) -> None:
    client, ids, _ = notify_world
    check_standin_app(client, ids, NOTIFY_ROUTES)
    # An officer sees and sets only their own preferences, not a colleague's.
    url = "/v1/recipients/karo-bkpsdm-1/preferences"
    assert_refusal(client.get(url, headers=auth(COLLEAGUE)), 403, NOTIFY_ROUTES[6])


def check_standin_app(client: FlaskClient, ids: dict[str, str], routes: list[Route]) -> None:
    """Every route x role pair of an app that asks intake who the caller is: no key and a
    revoked key 401, a role the route is not for 403, the others the route's expected answer
    in their area and 404 in another's where the route names a resource there."""
    wrong = []
    for route in routes:
        no_key = call(client, route, ids, None)
        if route.roles is None:
            assert no_key.status_code != 401, route.rule
            continue
        assert_refusal(no_key, 401, route)
        assert_refusal(call(client, route, ids, REVOKED), 401, route)
        for role in ROLES:
            own = call(client, route, ids, f"own-{role}")
            if role not in route.roles:
                assert_refusal(own, 403, route)
                continue
            if own.status_code != route.expected(role):
                wrong.append((route.method, route.rule, role, own.status_code))
            stranger = call(client, route, ids, f"stranger-{role}")
            if route.scoped:
                assert_refusal(stranger, 404, route)
                assert ids.get("case_id", "-") not in str(stranger.get_json().get("title", ""))
            else:
                assert stranger.status_code not in (401, 403), (route.rule, role)
    assert wrong == [], "\n".join(map(str, wrong))


def test_open311_api_key_field_is_checked_like_the_header(intake: IntakeWorld) -> None:
    """GeoReport clients send the key as the api_key field; the same rules hold for it."""
    client, case_id = intake.client, intake.ids["case_id"]
    revoked = client.get("/open311/v2/requests.json", query_string={"api_key": intake.revoked})
    assert revoked.status_code == 401
    assert revoked.get_json()[0]["code"] == 401
    stranger = client.get(
        f"/open311/v2/requests/{case_id}.json",
        query_string={"api_key": intake.stranger["supervisor"]},
    )
    assert stranger.status_code == 404
    assert intake.ids["tracking_code"] not in stranger.get_data(as_text=True)
    own = client.get(
        f"/open311/v2/requests/{case_id}.json", query_string={"api_key": intake.own["officer"]}
    )
    assert own.status_code == 200
    assert own.get_json()[0]["service_request_id"] == case_id
