"""The signed-in person, as Flask-Login knows them.

The session cookie (signed, HttpOnly, SameSite=Lax) holds the person's intake session token
and who intake said they are at sign-in. Every page asks the services for its data with that
token, and a service that no longer accepts it (sign-out elsewhere, a supervisor deactivating
the person or changing their role, the idle limit) answers 401: the page then ends the
session here too and sends the person to sign in (``web/errors.py``). So a session ended
anywhere ends here at the next click, without asking intake "who is this?" on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from flask import Flask, Response, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user

from services.console.clients.base import ServiceDown, SignedOut, tokens_accepted
from services.console.deps import deps

STAFF_ROLES: Final = frozenset({"officer", "supervisor", "operator", "auditor"})
MANAGERS: Final = frozenset({"supervisor", "operator"})
WATCHERS: Final = frozenset({"supervisor", "operator", "auditor"})

login_manager = LoginManager()


@dataclass(frozen=True)
class Person:
    """Who is signed in: their session token and the principal the services see."""

    token: str
    officer_id: str
    name: str
    role: str
    region: str

    # Flask-Login's user protocol.
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return self.token

    @property
    def is_provincial(self) -> bool:
        return "." not in self.region

    @property
    def manages(self) -> bool:
        return self.role in MANAGERS

    @property
    def watches(self) -> bool:
        return self.role in WATCHERS


def install(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None  # the sign-in page says what to do
    # A phone's address changes between cell towers: binding the session to it would sign
    # officers out in the middle of their work.
    login_manager.session_protection = None
    login_manager.user_loader(load_person)
    login_manager.unauthorized_handler(_to_sign_in)
    app.after_request(_confirm_session)


def _confirm_session(response: Response) -> Response:
    """A page drawn for a signed-in person without any service having seen their token (a
    blank form, say) asks intake once whether the session still lives; if it ended (signed
    out elsewhere, deactivated, idle), the person is sent to sign in instead, as every page
    that does ask a service would."""
    person = g.get("person")
    if person is None or request.endpoint in (None, "static") or person.token in tokens_accepted():
        return response
    try:
        deps().intake.get("/v1/auth/whoami", person.token)
    except SignedOut:
        session.clear()
        return redirect(url_for("auth.sign_in", next=_here(), expired=1))  # type: ignore[return-value]
    except ServiceDown:
        pass  # the page answers; the next one that needs intake will say it is down
    return response


def _here() -> str:
    return (request.full_path if request.method == "GET" else request.path).rstrip("?")


def remember(person: Person) -> None:
    """Keep who the person is beside their token, for the pages of this session."""
    session["person"] = {
        "officer_id": person.officer_id,
        "name": person.name,
        "role": person.role,
        "region": person.region,
    }


def load_person(token: str) -> Person | None:
    """The person a session token belongs to: as intake said at sign-in, or asked again."""
    if "person" in g:
        cached: Person | None = g.person
        return cached
    known = session.get("person")
    if isinstance(known, dict) and known.get("role") in STAFF_ROLES:
        remembered = Person(
            token=token,
            officer_id=str(known["officer_id"]),
            name=str(known["name"]),
            role=str(known["role"]),
            region=str(known["region"]),
        )
        g.person = remembered
        return remembered
    person: Person | None = None
    try:
        body = deps().intake.get("/v1/auth/whoami", token)
    except SignedOut:
        session.clear()
    except ServiceDown:
        # Without intake nothing can be shown; the error page says so (503).
        raise
    else:
        if body.get("kind") == "session" and body.get("role") in STAFF_ROLES:
            person = Person(
                token=token,
                officer_id=str(body.get("officer_id")),
                name=str(body.get("name")),
                role=str(body["role"]),
                region=str(body["region"]),
            )
    g.person = person
    return person


def current_person() -> Person:
    """The signed-in person of a view protected by ``login_required``."""
    person: Person = current_user._get_current_object()
    return person


def _to_sign_in() -> ResponseReturnValue:
    # Only a path of this site may be the destination after sign-in (no open redirect).
    return redirect(url_for("auth.sign_in", next=_here()))
