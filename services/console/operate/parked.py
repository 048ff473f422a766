"""Parked messages of every service: what was given up on, why, since when, after how many
attempts; and replaying one after a confirmation.

Each service answers for its own parking queue (intake and triage as notify does), asked in
parallel: a service that is down or does not offer the list yet is said so in its own
section, and the others still show. Purging stays with the command line, where the operator
sees the message's whole content first (``pantau parked show`` / ``purge``).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from flask import (
    Blueprint,
    abort,
    copy_current_request_context,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue

from services.console.clients.base import NotFound, ServiceClient, ServiceDown
from services.console.deps import deps
from services.console.operate import nav
from services.console.operate.access import OPERATORS, open_to
from services.console.operate.forms import ConfirmForm
from services.console.operate.health import SERVICES
from services.console.operate.health_words import SERVICE_LABELS
from services.console.operate.parked_words import REASON_LABELS, WHAT_TO_DO, reason_kind
from services.console.operate.words import _
from services.console.web.person import Person, current_person

bp = Blueprint("parked", __name__)

LIMIT: Final = 100
# Envelope ids (uuid), sha-<hex> for a body without one, digest:<hex> for notify's digests.
_IDENT: Final = re.compile(r"^[A-Za-z0-9:._-]{1,100}$")


@dataclass(frozen=True)
class Item:
    """One parked message or digest, as the page shows it."""

    service: str
    id: str
    kind: str
    type: str | None
    case_id: str | None
    tenant: str | None
    reason: str
    reason_label: str
    todo: str
    parked_at: str | None
    attempts: int
    recipient_id: str | None = None
    channel: str | None = None
    alerts: int | None = None


@dataclass(frozen=True)
class Section:
    """One service's parked messages, or why they cannot be shown."""

    service: str
    label: str
    state: str  # ok, down, not_offered
    items: tuple[Item, ...] = ()
    others: int = 0


@bp.get("/operator/parkir")
@open_to(OPERATORS)
def index() -> ResponseReturnValue:
    found = sections(current_person())
    return render_template(
        "operate/parked.html",
        tabs=nav.tabs("parked"),
        sections=found,
        total=sum(len(s.items) for s in found),
        limit=LIMIT,
    )


@bp.get("/operator/parkir/<service>/<ident>/kirim-ulang")
@open_to(OPERATORS)
def confirm_replay(service: str, ident: str) -> ResponseReturnValue:
    person = current_person()
    section = _section(service, _client(service, ident), person.token)
    if section.state == "down":
        raise ServiceDown(service, "parked messages unreadable")
    if section.state == "not_offered":
        abort(404)
    item = next((i for i in section.items if i.id == ident), None)
    if item is None:
        flash(_gone(), "warn")
        return redirect(url_for(".index"))
    return render_template(
        "operate/parked_replay.html",
        tabs=nav.tabs("parked"),
        item=item,
        label=section.label,
        form=ConfirmForm(),
    )


@bp.post("/operator/parkir/<service>/<ident>/kirim-ulang")
@open_to(OPERATORS)
def replay(service: str, ident: str) -> ResponseReturnValue:
    client = _client(service, ident)
    ConfirmForm().validate_on_submit()  # the token is checked for every POST already
    try:
        client.post(f"/v1/parked/{ident}/replay", current_person().token)
    except NotFound:
        flash(_gone(), "warn")
    else:
        flash(
            _(
                "Pesan dikirim ulang ke antrean %(service)s; percobaannya dihitung dari awal.",
                service=SERVICE_LABELS[service],
            ),
            "ok",
        )
    return redirect(url_for(".index"))


def sections(person: Person) -> list[Section]:
    """Every service's parked messages, asked at once. Each asking thread carries a copy of
    the request, so the words it puts in the section are in the person's language."""
    clients = {s: _client(s) for s in SERVICES}
    with ThreadPoolExecutor(max_workers=len(SERVICES), thread_name_prefix="parked") as pool:
        futures = [
            pool.submit(copy_current_request_context(_section), s, clients[s], person.token)
            for s in SERVICES
        ]
        return [future.result() for future in futures]


def _section(service: str, client: ServiceClient, token: str) -> Section:
    label = str(SERVICE_LABELS[service])
    try:
        body = client.get("/v1/parked", token, params={"limit": LIMIT})
    except NotFound:
        # A service from before it listed its parked messages: the command line still can.
        return Section(service, label, "not_offered")
    except ServiceDown:
        return Section(service, label, "down")
    items = tuple(_item(service, p) for p in body.get("parked") or [])
    messages = sum(1 for i in items if i.kind == "message")
    others = max(int(body.get("queue_depth") or 0) - messages, 0)
    return Section(service, label, "ok", items, others)


def _item(service: str, parked: dict[str, Any]) -> Item:
    digest = parked.get("kind") == "digest"
    kind = "digest" if digest else reason_kind(parked.get("reason"))
    attempts = parked.get("attempts")
    return Item(
        service=service,
        id=str(parked.get("id")),
        kind="digest" if digest else "message",
        type=parked.get("type"),
        case_id=parked.get("case_id"),
        tenant=parked.get("tenant"),
        reason=str(parked.get("reason") or ""),
        reason_label=str(REASON_LABELS[kind]),
        todo=str(WHAT_TO_DO[kind]),
        parked_at=parked.get("parked_at"),
        attempts=len(attempts) if isinstance(attempts, list) else int(attempts or 0),
        recipient_id=parked.get("recipient_id"),
        channel=parked.get("channel"),
        alerts=parked.get("alerts"),
    )


def _client(service: str, ident: str | None = None) -> ServiceClient:
    """The service's client; an unknown service or a malformed id is the 404 page."""
    if service not in SERVICES or (ident is not None and not _IDENT.fullmatch(ident)):
        abort(404)
    client: ServiceClient = getattr(deps(), service)
    return client


def _gone() -> str:
    return _(
        "Pesan ini tidak lagi tertahan: mungkin sudah dikirim ulang oleh operator lain. "
        "Daftar di bawah ini yang terbaru."
    )
