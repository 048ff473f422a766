"""Every console route against the ways a request can be wrong: no session, an ended session,
the wrong role, another regency's data, a missing form token.

The table names every route of the console app (a route without a row fails the first test);
each row says who may use it. Roles are enforced by the services (the console only hides
what a role cannot do), so a refusal may come from the console's own check (a 403 page) or
from the service behind it (the same page); either way nothing happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import requests
from flask import Flask
from pydantic import SecretStr

from services.console.app import create_app
from shared.settings import Settings
from tests.console.operate_people import signed_in
from tests.support.alerted import alerted_case
from tests.support.builders import case_payload
from tests.support.pages import PageClient
from tests.support.suite import Suite

PUBLIC = "public"  # citizens and the sign-in pages: no session needed
STAFF = "staff"  # any signed-in person
OVERSEERS = "overseers"  # supervisors, operators, auditors
MANAGERS = "managers"  # supervisors and operators
OPERATORS = "operators"  # operators (and auditors, reading)
FRAME = "frame"  # health, metrics, static files


@dataclass(frozen=True)
class Row:
    method: str
    rule: str
    who: str
    # Whether the route names data of one regency (a case, a person, a session) and must
    # answer another regency's like something that does not exist.
    tenant: bool = False


TABLE: tuple[Row, ...] = (
    Row("GET", "/", PUBLIC),
    Row("GET", "/healthz", FRAME),
    Row("GET", "/readyz", FRAME),
    Row("GET", "/metrics", FRAME),
    Row("GET", "/static/<path:filename>", FRAME),
    # signing in
    Row("GET", "/masuk", PUBLIC),
    Row("POST", "/masuk", PUBLIC),
    Row("GET", "/masuk/kode", PUBLIC),
    Row("POST", "/masuk/kode", PUBLIC),
    Row("GET", "/masuk/siapkan-kode", PUBLIC),
    Row("POST", "/masuk/siapkan-kode", PUBLIC),
    Row("GET", "/masuk/tautan/<token>", PUBLIC),
    Row("POST", "/masuk/tautan/<token>", PUBLIC),
    Row("GET", "/masuk/lupa", PUBLIC),
    Row("POST", "/masuk/lupa", PUBLIC),
    Row("POST", "/keluar", PUBLIC),
    Row("GET", "/akun", STAFF),
    Row("POST", "/akun/keluar-semua", STAFF),
    Row("GET", "/akun/verifikasi-dua-langkah", STAFF),
    Row("POST", "/akun/verifikasi-dua-langkah", STAFF),
    Row("GET", "/akun/matikan-verifikasi", STAFF),
    Row("POST", "/akun/matikan-verifikasi", STAFF),
    # cases
    Row("GET", "/k/<case_id>", PUBLIC),
    Row("GET", "/kasus", STAFF),
    Row("GET", "/kasus/<case_id>", STAFF, tenant=True),
    Row("GET", "/kasus/<case_id>/bukti/<evidence_id>", STAFF, tenant=True),
    Row("POST", "/kasus/<case_id>/tindakan/<name>", STAFF, tenant=True),
    Row("POST", "/kasus/<case_id>/status/<target>", STAFF, tenant=True),
    Row("POST", "/kasus/<case_id>/alihkan", MANAGERS, tenant=True),
    Row("POST", "/kasus/<case_id>/pindahkan", MANAGERS, tenant=True),
    Row("POST", "/kasus/<case_id>/koreksi-triase", MANAGERS, tenant=True),
    Row("POST", "/kasus/<case_id>/identitas-pelapor", MANAGERS, tenant=True),
    # team
    Row("GET", "/tim", OVERSEERS),
    Row("POST", "/tim/massal", MANAGERS),
    Row("GET", "/tim/orang", OVERSEERS),
    Row("GET", "/tim/orang/baru", MANAGERS),
    Row("POST", "/tim/orang/baru", MANAGERS),
    Row("GET", "/tim/orang/<officer_id>", OVERSEERS, tenant=True),
    Row("GET", "/tim/orang/<officer_id>/ubah", MANAGERS, tenant=True),
    Row("POST", "/tim/orang/<officer_id>/ubah", MANAGERS, tenant=True),
    Row("POST", "/tim/orang/<officer_id>/undang", MANAGERS, tenant=True),
    Row("GET", "/tim/orang/<officer_id>/nonaktifkan", MANAGERS, tenant=True),
    Row("POST", "/tim/orang/<officer_id>/nonaktifkan", MANAGERS, tenant=True),
    Row("POST", "/tim/orang/<officer_id>/aktifkan", MANAGERS, tenant=True),
    Row("GET", "/tim/sesi", OVERSEERS),
    Row("GET", "/tim/sesi/<session_id>/akhiri", MANAGERS, tenant=True),
    Row("POST", "/tim/sesi/<session_id>/akhiri", MANAGERS, tenant=True),
    # statistics
    Row("GET", "/statistik", OVERSEERS),
    Row("GET", "/statistik/grafik/<name>.svg", OVERSEERS),
    Row("POST", "/statistik/ekspor", OVERSEERS),
    Row("GET", "/statistik/ekspor/<export_id>", OVERSEERS),
    Row("GET", "/statistik/ekspor/<export_id>/status", OVERSEERS),
    Row("GET", "/statistik/ekspor/<export_id>/unduh", OVERSEERS),
    # operators
    Row("GET", "/operator", OPERATORS),
    Row("GET", "/operator/kunci", OPERATORS),
    Row("GET", "/operator/kunci/baru", OPERATORS),
    Row("POST", "/operator/kunci/baru", OPERATORS),
    Row("GET", "/operator/kunci/<prefix>/cabut", OPERATORS),
    Row("POST", "/operator/kunci/<prefix>/cabut", OPERATORS),
    Row("GET", "/operator/log-masuk", OPERATORS),
    Row("GET", "/operator/parkir", OPERATORS),
    Row("GET", "/operator/parkir/<service>/<ident>/kirim-ulang", OPERATORS),
    Row("POST", "/operator/parkir/<service>/<ident>/kirim-ulang", OPERATORS),
    # the public pages
    Row("GET", "/lapor", PUBLIC),
    Row("POST", "/lapor", PUBLIC),
    Row("GET", "/lapor/<region>", PUBLIC),
    Row("POST", "/lapor/<region>", PUBLIC),
    Row("GET", "/lacak", PUBLIC),
    Row("GET", "/lacak/<code>", PUBLIC),
    Row("POST", "/lacak/<code>", PUBLIC),
)
SIGNED_IN = tuple(r for r in TABLE if r.who not in (PUBLIC, FRAME))
POSTS = tuple(r for r in TABLE if r.method == "POST")
ROLE_GATED = tuple(r for r in SIGNED_IN if r.who != STAFF)


def _ids(rows: tuple[Row, ...]) -> list[str]:
    return [f"{r.method} {r.rule}" for r in rows]


def test_the_table_names_every_route_of_the_console() -> None:
    app: Flask = create_app(settings=Settings(console_secret=SecretStr("s" * 40)))
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes == {(r.method, r.rule) for r in TABLE}


@dataclass
class World:
    """Data of two regencies and people of every role, for filling in the routes."""

    suite: Suite
    values: dict[str, str]
    elsewhere: dict[str, str]
    officer: PageClient
    supervisor: PageClient
    operator: PageClient

    def path(self, rule: str, *, other: bool = False) -> str:
        values = {**self.values, **(self.elsewhere if other else {})}
        path = rule
        for name, value in values.items():
            path = path.replace(f"<{name}>", value)
        return path.replace("<path:filename>", "css/pantau.css")


@pytest.fixture(scope="module")
def world(console_suite: Suite) -> World:
    suite = console_suite
    mine = alerted_case(suite, "Tabel")
    theirs = suite.submit(
        suite.key("17.71", "submitter"),
        case_payload(title="Lurah Bengkulu membagikan stiker paslon di kelurahan"),
    )
    suite.person("route-other-officer", region="17.71")
    operator = signed_in(suite, "route-operator", role="operator", region="12")
    supervisor = signed_in(
        suite, "route-supervisor", role="supervisor", region="12.06", unit="BKPSDM"
    )
    officer = PageClient(suite.urls["console"])
    officer.accept_invitation(suite.invitation(mine.officer_id), "pintu kayu jati tua")
    other_session = _session_of(suite, "17.71", "route-other-supervisor")
    values = {
        "case_id": mine.case_id,
        "evidence_id": "0" * 24,
        "name": "acknowledge",
        "target": "verified",
        "officer_id": mine.officer_id,
        "session_id": "unknown-session",
        "export_id": "0" * 24,
        "prefix": "nokeyprefix",
        "service": "notify",
        "ident": "0" * 24,
        "token": "not-a-link",
        "region": "12.06",
        "code": "AAAA-BBBB-CCCC-DDDD",
    }
    elsewhere = {
        "case_id": theirs["id"],
        "officer_id": "route-other-officer",
        "session_id": other_session,
    }
    return World(suite, values, elsewhere, officer, supervisor, operator)


def _session_of(suite: Suite, region: str, officer_id: str) -> str:
    """Sign a supervisor of ``region`` in, and find their session's id through the API."""
    signed_in(suite, officer_id, role="supervisor", region=region, unit="BKPSDM")
    key = suite.key(region, "supervisor")
    sessions = requests.get(
        f"{suite.urls['intake']}/v1/sessions",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).json()["items"]
    return str(next(s["id"] for s in sessions if s["officer_id"] == officer_id))


def _send(person: PageClient, method: str, path: str, *, token: bool = True) -> Any:
    data = [("csrf_token", person.token("/akun" if person.last is None else None))] if token else []
    url = person.base + path
    if method == "GET":
        return person.session.get(url, allow_redirects=False, timeout=15)
    return person.session.post(url, data=data, allow_redirects=False, timeout=15)


@pytest.mark.parametrize("row", SIGNED_IN, ids=_ids(SIGNED_IN))
def test_without_a_session_every_page_sends_to_sign_in_and_nothing_happens(
    world: World, row: Row
) -> None:
    stranger = PageClient(world.suite.urls["console"])
    stranger.get("/masuk")  # a form token of an anonymous session, as a forged form has
    answer = _send(stranger, row.method, world.path(row.rule))
    assert answer.status_code == 302, (answer.status_code, answer.text[:200])
    assert "/masuk" in answer.headers["Location"]


@pytest.mark.parametrize("row", POSTS, ids=_ids(POSTS))
def test_a_form_without_its_token_is_refused(world: World, row: Row) -> None:
    answer = _send(world.operator, "POST", world.path(row.rule), token=False)
    assert answer.status_code == 400, (answer.status_code, answer.text[:200])


@pytest.mark.parametrize("row", ROLE_GATED, ids=_ids(ROLE_GATED))
def test_an_officer_is_refused_what_their_role_may_not_do(world: World, row: Row) -> None:
    world.officer.get("/akun")
    answer = _send(world.officer, row.method, world.path(row.rule))
    assert answer.status_code in (403, 404), (answer.status_code, answer.text[:200])


TENANTED = tuple(r for r in SIGNED_IN if r.tenant)


@pytest.mark.parametrize("row", TENANTED, ids=_ids(TENANTED))
def test_another_regencys_data_is_the_same_404_as_nothing(world: World, row: Row) -> None:
    world.supervisor.get("/akun")
    answer = _send(world.supervisor, row.method, world.path(row.rule, other=True))
    assert answer.status_code == 404, (answer.status_code, answer.text[:200])


def test_an_ended_session_sends_every_page_to_sign_in(world: World) -> None:
    person = signed_in(world.suite, "route-ending", role="operator", region="12")
    person.get("/akun")
    token = person.token()
    # A supervisor of the province ends the session through the API.
    key = world.suite.key("12", "operator")
    headers = {"Authorization": f"Bearer {key}"}
    sessions = requests.get(
        f"{world.suite.urls['intake']}/v1/sessions", headers=headers, timeout=10
    ).json()["items"]
    for session in sessions:
        if session["officer_id"] == "route-ending":
            requests.delete(
                f"{world.suite.urls['intake']}/v1/sessions/{session['id']}",
                headers=headers,
                timeout=10,
            )
    ended = person.session.cookies.copy()
    refused = []
    for row in SIGNED_IN:
        # The cookie as it was when the session ended: a page that finds it ended clears it,
        # and every row must meet the ended session, not an anonymous one.
        person.session.cookies = ended.copy()
        url = person.base + world.path(row.rule)
        if row.method == "GET":
            answer = person.session.get(url, allow_redirects=False, timeout=15)
        else:
            answer = person.session.post(
                url, data={"csrf_token": token}, allow_redirects=False, timeout=15
            )
        if answer.status_code != 302 or "/masuk" not in answer.headers.get("Location", ""):
            refused.append((row.method, row.rule, answer.status_code))
    assert refused == []
