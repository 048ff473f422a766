"""The sign-in steps as the console takes them: each call asks intake, and a finished
sign-in becomes the person's session here.

The session id changes at sign-in (the old cookie's contents are dropped before the new
token is stored), and the person's language and time zone come with it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import request, session
from flask_login import login_user

from services.console.clients.base import Json
from services.console.deps import deps
from services.console.web.person import load_person, remember


def client() -> dict[str, Any]:
    """Where the person is, as intake's throttle and sign-in log want it."""
    return {"address": request.remote_addr, "agent": request.user_agent.string[:512]}


def ask(path: str, body: Json) -> Json:
    """One sign-in step at intake, with the console's own key."""
    d = deps()
    return d.intake.post(path, d.console_key, json=body)


def finish(outcome: Json) -> None:
    """Turn intake's answer into the next step: a session here, or a challenge to keep."""
    step = outcome.get("step")
    if step != "session":
        session["challenge"] = outcome["token"]
        session["challenge_step"] = step
        return
    person_info = outcome.get("person") or {}
    next_target = session.get("next")
    # A new session: nothing of the cookie before sign-in carries over (fixation).
    session.clear()
    session.permanent = True
    session["lang"] = person_info.get("language") or "id"
    if person_info.get("timezone"):
        session["tz"] = person_info["timezone"]
    if next_target:
        session["next"] = next_target
    person = load_person(outcome["token"])
    if person is None:
        # Intake just made this session; if it cannot be read back, nothing was signed in.
        session.clear()
        return
    remember(person)
    login_user(person, remember=False)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path of this site, else None (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
