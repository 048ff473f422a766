"""Notify's HTTP API: delivery history, preferences, parked notifications, test sends."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from services.notify import answers, digest
from services.notify.bootstrap import deps as build_deps
from services.notify.channels.chat import masked_chat_url
from services.notify.delivery import NotifyDeps
from services.notify.recipients import Profile, load, set_preferences
from services.notify.request_models import (
    ParkedQuery,
    PreferencesUpdate,
    SendTestBody,
)
from services.notify.testsend import SendTestRefused, masked_address, send_test
from shared import parked_api
from shared.auth import OPERATORS, READERS, STAFF, Principal, current_principal, requires
from shared.broker.parking import ParkedMessage, ParkingError
from shared.openapi import operation, path_parameter
from shared.problems import Problem
from shared.request_input import parse_body, parse_query
from shared.settings import Settings

bp = Blueprint("notify", __name__)

_lock = threading.Lock()
# The OpenAPI parts the operations share.
_OFFICER = path_parameter("officer_id", "The officer's id in the directory.")
_NO_OFFICER = "Notify knows no such officer in your region (officers appear with their first case)."
_NOT_YOURS = "The key's role may not do this, or an officer asks for a colleague."


def notify_deps() -> NotifyDeps:
    """The app's notify dependencies, built on first use (after gunicorn forked)."""
    found: NotifyDeps | None = current_app.extensions.get("pantau_notify")
    if found is None:
        with _lock:
            found = current_app.extensions.get("pantau_notify")
            if found is None:
                settings: Settings = current_app.config["PANTAU_SETTINGS"]
                # The API sends only the odd test message: one SMTP session each, none
                # left open between them.
                found = build_deps(settings, keep_sessions=False)
                current_app.extensions["pantau_notify"] = found
    return found


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


# --- delivery history ----------------------------------------------------------------------


def _attempt(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "at": _iso(entry.get("at")),
        "channel": entry.get("channel"),
        "result": entry.get("result"),
        "attempt": entry.get("attempt"),
        "answer": entry.get("answer"),
        "error": entry.get("error"),
    }


def _delivery(doc: Mapping[str, Any], digests: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "key": doc["_id"],
        "kind": doc.get("kind", "alert"),
        "event_type": doc.get("event_type"),
        "source_event_id": doc.get("source_event_id"),
        "recipient": {"officer_id": doc.get("recipient_id"), "name": doc.get("recipient_name")},
        "channel": doc.get("channel"),
        "status": doc.get("status"),
        "reason": doc.get("reason"),
        "subject": doc.get("subject"),
        "created_at": _iso(doc.get("created_at")),
        "sent_at": _iso(doc.get("sent_at")),
        "attempts": [_attempt(a) for a in doc.get("attempts", [])],
    }
    for optional in ("step", "resend", "fallback_for"):
        if doc.get(optional):
            shown[optional] = doc[optional]
    if doc.get("release_at") and doc.get("status") == "held":
        shown["release_at"] = _iso(doc["release_at"])
    if doc.get("digest_key"):
        parent = digests.get(doc["digest_key"], {})
        shown["digest"] = {
            "key": doc["digest_key"],
            "status": parent.get("status"),
            "sent_at": _iso(parent.get("sent_at")),
        }
    if doc.get("kind") == "digest":
        shown["alerts_in_digest"] = len(doc.get("items", []))
    return shown


@bp.get("/v1/cases/<case_id>/deliveries")
@operation(
    summary="Who was told what about a case, when, on which channel, and the result",
    parameters=[path_parameter("case_id", "The case's id in intake.")],
    answers={200: (answers.DeliveryHistory, "Oldest first.")},
    problems=(401, 403, 404, 503),
    texts={404: "No notifications are recorded for this case in your region."},
)
@requires(*READERS)
def case_deliveries(case_id: str) -> ResponseReturnValue:
    """Who was told what about a case, when, on which channel, with what result."""
    principal = current_principal()
    deliveries = notify_deps().deliveries
    docs = [
        d
        for d in deliveries.find(
            {"$or": [{"case_id": case_id}, {"case_ids": case_id}]},
            {"outbox": 0, "item": 0},
        ).sort("created_at", 1)
        if d.get("tenant") and principal.can_see(d["tenant"])
    ]
    if not docs:
        # Also for another tenant's case: ids cannot be probed.
        raise Problem(404, f"No notifications are recorded for case {case_id}.")
    keys = {d["digest_key"] for d in docs if d.get("digest_key")}
    digests = {d["_id"]: d for d in deliveries.find({"_id": {"$in": sorted(keys)}})}
    return jsonify(case_id=case_id, deliveries=[_delivery(d, digests) for d in docs])


# --- preferences ---------------------------------------------------------------------------


def _is_self(principal: Principal, officer_id: str) -> bool:
    """Whether the caller is this officer: their key is linked to them in the directory, or
    (keys from before the directory) the key is named with their id."""
    if principal.officer_id is not None:
        return principal.officer_id == officer_id
    return principal.name == officer_id


def _profile_for(principal: Principal, officer_id: str) -> Profile:
    profile = load(notify_deps().recipients, officer_id)
    if profile is None or not profile.tenant or not principal.can_see(profile.tenant):
        raise Problem(404, f"Notify knows no officer {officer_id!r} in your region.")
    if principal.role == "officer" and not _is_self(principal, officer_id):
        raise Problem(
            403,
            "Officers may read and change only their own preferences (a key linked to them).",
        )
    return profile


def _profile_view(profile: Profile) -> dict[str, Any]:
    nd = notify_deps()
    addresses = {}
    for channel in nd.channels:
        address = channel.address_of(profile)
        addresses[channel.name] = masked_address(channel.name, address) if address else None
    return {
        "officer_id": profile.officer_id,
        "name": profile.name,
        "language": profile.language,
        "timezone": profile.timezone,
        "addresses": addresses,
        "chat_url": masked_chat_url(profile.chat_url),
        "preferences": profile.preferences.to_document(),
    }


@bp.get("/v1/recipients/<officer_id>/preferences")
@operation(
    summary="An officer's channels, quiet hours and (masked) addresses",
    description="Officers read only their own (a key linked to them).",
    parameters=[_OFFICER],
    answers={200: (answers.RecipientProfile, "The officer's profile.")},
    problems=(401, 403, 404, 503),
    texts={403: _NOT_YOURS, 404: _NO_OFFICER},
)
@requires(*STAFF)
def get_preferences(officer_id: str) -> ResponseReturnValue:
    return jsonify(_profile_view(_profile_for(current_principal(), officer_id)))


@bp.put("/v1/recipients/<officer_id>/preferences")
@operation(
    summary="Replace an officer's preferences (parts left out take their defaults)",
    parameters=[_OFFICER],
    body=PreferencesUpdate,
    answers={200: (answers.RecipientProfile, "The profile now in force.")},
    problems=(400, 401, 403, 404, 413, 415, 422, 503),
    texts={403: _NOT_YOURS, 404: _NO_OFFICER},
)
@requires(*STAFF)
def put_preferences(officer_id: str) -> ResponseReturnValue:
    """Replace an officer's preferences (parts left out take their defaults)."""
    principal = current_principal()
    profile = _profile_for(principal, officer_id)
    update = parse_body(PreferencesUpdate, detail="The preferences need correcting; see 'errors'.")
    chat_url = update.chat_url if "chat_url" in update.model_fields_set else profile.chat_url
    nd = notify_deps()
    updated = set_preferences(
        nd.recipients, officer_id, update.preferences(), chat_url, nd.clock(), principal.name
    )
    if updated is None:
        raise Problem(404, f"Notify knows no officer {officer_id!r} in your region.")
    return jsonify(_profile_view(updated))


# --- parked notifications ------------------------------------------------------------------


def _parked_view(message: ParkedMessage) -> dict[str, Any]:
    envelope = message.envelope() or {}
    data = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
    person = (data or {}).get("assignee") or (data or {}).get("recipient") or {}
    return {
        "kind": "message",
        "id": message.id,
        "type": message.type,
        "tenant": message.tenant,
        "case_id": message.case_id,
        "recipient_id": person.get("officer_id") if isinstance(person, dict) else None,
        "reason": message.reason,
        "parked_at": _iso(message.parked_at),
        "attempts": message.attempts,
        "correlation_id": message.correlation_id,
    }


@bp.get("/v1/parked")
@operation(
    summary="Parked messages (broker parking queue) and parked or failed digests",
    query=ParkedQuery,
    answers={200: (answers.ParkedList, "What waits for an operator.")},
    problems=(401, 403, 422, 503),
)
@requires(*OPERATORS)
def list_parked() -> ResponseReturnValue:
    """Parked messages (from the broker's parking queue) and parked or failed digests."""
    principal = current_principal()
    limit = parse_query(ParkedQuery).limit
    parking = parked_api.parking_queue("notify")
    try:
        depth = parking.depth()
        messages = [m for m in parking.browse() if parked_api.visible(principal, m)][:limit]
    except ParkingError as exc:
        raise Problem(503, f"The parking queue cannot be read: {exc}") from exc
    digests = [
        {
            "kind": "digest",
            "id": f"digest:{d['_id']}",
            "status": d.get("status"),
            "tenant": d.get("tenant"),
            "recipient_id": d.get("recipient_id"),
            "channel": d.get("channel"),
            "reason": d.get("reason"),
            "alerts": len(d.get("items", [])),
            "attempts": [_attempt(a) for a in d.get("attempts", [])],
        }
        for d in notify_deps()
        .deliveries.find({"kind": "digest", "status": {"$in": ["parked", "failed"]}}, {"outbox": 0})
        .limit(limit)
        if d.get("tenant") and principal.can_see(d["tenant"])
    ]
    return jsonify(
        parked=[_parked_view(m) for m in messages] + digests,
        queue_depth=depth,
    )


@bp.post("/v1/parked/<ident>/replay")
@operation(
    summary="Put one parked message (or digest:<key>) back in line",
    parameters=[path_parameter("ident", "A parked message's id, or digest:<key>.")],
    answers={200: (answers.Replayed, "Back in line, attempts counted afresh.")},
    problems=(401, 403, 404, 503),
    texts={404: "Nothing parked with this id."},
)
@requires(*OPERATORS)
def replay_parked(ident: str) -> ResponseReturnValue:
    """Put one parked message (or digest) back in line with a fresh count of attempts."""
    principal = current_principal()
    nd = notify_deps()
    if ident.startswith("digest:"):
        key = ident.removeprefix("digest:")
        doc = nd.deliveries.find_one({"_id": key, "kind": "digest"}, {"tenant": 1})
        if (
            doc is None
            or not principal.can_see(doc.get("tenant") or "")
            or not digest.replay(nd, key, nd.clock())
        ):
            raise Problem(404, f"No parked digest {ident}.")
        return jsonify(replayed={"kind": "digest", "id": ident})
    parking = parked_api.parking_queue("notify")
    try:
        found = parking.find(ident)
        if found is None or not parked_api.visible(principal, found):
            raise Problem(404, f"No parked message {ident}.")
        replayed = parking.replay([ident], f"{principal.name} ({principal.key_prefix})")
    except ParkingError as exc:
        raise Problem(503, f"The parking queue cannot be used: {exc}") from exc
    if not replayed:
        raise Problem(404, f"No parked message {ident}.")
    return jsonify(replayed=_parked_view(replayed[0]))


# --- test send -----------------------------------------------------------------------------


@bp.post("/v1/test-send")
@operation(
    summary="Send a test message to an officer on a channel",
    description="The provider's answer is reported (and kept in the ledger); a provider that "
    "refuses is a 200 with result failed or retry.",
    body=SendTestBody,
    answers={200: (answers.SendTestAnswer, "What the provider answered.")},
    problems=(400, 401, 403, 404, 413, 415, 422, 503),
    texts={
        404: _NO_OFFICER,
        422: "No officer or channel named, a channel not configured here, or no address of "
        "the officer on it.",
    },
)
@requires(*OPERATORS)
def test_send_view() -> ResponseReturnValue:
    """Send a test message to an officer on a channel and report the provider's answer."""
    principal = current_principal()
    body = parse_body(SendTestBody, detail="Name the officer and the channel.")
    officer_id, channel = body.officer_id, body.channel
    nd = notify_deps()
    profile = load(nd.recipients, officer_id)
    if profile is None or not profile.tenant or not principal.can_see(profile.tenant):
        raise Problem(404, f"Notify knows no officer {officer_id!r} in your region.")
    try:
        outcome = send_test(nd, officer_id, channel, f"{principal.name} ({principal.key_prefix})")
    except SendTestRefused as exc:
        raise Problem(exc.status, exc.message) from exc
    return jsonify(outcome.as_dict())
