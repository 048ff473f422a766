"""Notify's HTTP API: delivery history, preferences, parked notifications, test sends."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from services.notify import digest
from services.notify.bootstrap import deps as build_deps
from services.notify.channels.chat import masked_chat_url, valid_chat_url
from services.notify.delivery import NotifyDeps
from services.notify.policy import PreferenceError, Preferences
from services.notify.recipients import Profile, load, set_preferences
from services.notify.testsend import SendTestRefused, masked_address, send_test
from shared.auth import Principal, current_principal, requires
from shared.broker import topology
from shared.broker.connection import CONNECTION_ERRORS, open_connection
from shared.broker.parking import ParkedMessage, ParkingError, ParkingQueue
from shared.problems import Problem, json_body
from shared.settings import Settings

bp = Blueprint("notify", __name__)

HISTORY_ROLES = ("officer", "supervisor", "operator", "auditor")
PREFERENCE_ROLES = ("officer", "supervisor", "operator")
_lock = threading.Lock()


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
    if doc.get("fallback_for"):
        shown["fallback_for"] = doc["fallback_for"]
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
@requires(*HISTORY_ROLES)
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
@requires(*PREFERENCE_ROLES)
def get_preferences(officer_id: str) -> ResponseReturnValue:
    return jsonify(_profile_view(_profile_for(current_principal(), officer_id)))


@bp.put("/v1/recipients/<officer_id>/preferences")
@requires(*PREFERENCE_ROLES)
def put_preferences(officer_id: str) -> ResponseReturnValue:
    """Replace an officer's preferences (parts left out take their defaults)."""
    principal = current_principal()
    profile = _profile_for(principal, officer_id)
    body = json_body()
    if not isinstance(body, dict):
        raise Problem(422, "The body must be a JSON object.")
    chat_url = profile.chat_url
    if "chat_url" in body:
        chat_url = body.pop("chat_url")
        if chat_url is not None and (not isinstance(chat_url, str) or not valid_chat_url(chat_url)):
            raise Problem(
                422,
                "chat_url is not a notification URL this service can send to.",
                errors=[{"field": "chat_url", "message": "not an Apprise URL", "code": "invalid"}],
            )
    try:
        preferences = Preferences.from_document(body)
    except PreferenceError as exc:
        raise Problem(
            422,
            f"Invalid preferences: {exc}",
            errors=[{"field": exc.field, "message": exc.message, "code": "invalid"}],
        ) from exc
    nd = notify_deps()
    updated = set_preferences(
        nd.recipients, officer_id, preferences, chat_url, nd.clock(), principal.name
    )
    if updated is None:
        raise Problem(404, f"Notify knows no officer {officer_id!r} in your region.")
    return jsonify(_profile_view(updated))


# --- parked notifications ------------------------------------------------------------------


def _parking() -> ParkingQueue:
    """Notify's parking queue, declared first if no process has declared it yet (a fresh
    broker where no worker ran): an absent queue means nothing is parked, not an error."""
    settings: Settings = current_app.config["PANTAU_SETTINGS"]
    if not current_app.extensions.get("pantau_notify_declared"):
        try:
            connection = open_connection(settings.amqp_url, name="notify-declare")
            try:
                topology.declare(connection.channel(), settings)
            finally:
                connection.close()
        except CONNECTION_ERRORS as exc:
            raise Problem(503, "The broker cannot be reached; try again shortly.") from exc
        current_app.extensions["pantau_notify_declared"] = True
    return ParkingQueue(settings, "notify")


def _visible(principal: Principal, message: ParkedMessage) -> bool:
    # A malformed message has no tenant; province-wide operators see those too.
    return message.tenant is None or principal.can_see(message.tenant)


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
@requires("operator")
def list_parked() -> ResponseReturnValue:
    """Parked messages (from the broker's parking queue) and parked or failed digests."""
    principal = current_principal()
    try:
        limit = min(max(int(request.args.get("limit", "100")), 1), 500)
    except ValueError as exc:
        raise Problem(400, "limit must be a number from 1 to 500.") from exc
    parking = _parking()
    try:
        depth = parking.depth()
        messages = [m for m in parking.browse() if _visible(principal, m)][:limit]
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
@requires("operator")
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
    parking = _parking()
    try:
        found = parking.find(ident)
        if found is None or not _visible(principal, found):
            raise Problem(404, f"No parked message {ident}.")
        replayed = parking.replay([ident], f"{principal.name} ({principal.key_prefix})")
    except ParkingError as exc:
        raise Problem(503, f"The parking queue cannot be used: {exc}") from exc
    if not replayed:
        raise Problem(404, f"No parked message {ident}.")
    return jsonify(replayed=_parked_view(replayed[0]))


# --- test send -----------------------------------------------------------------------------


@bp.post("/v1/test-send")
@requires("operator")
def test_send_view() -> ResponseReturnValue:
    """Send a test message to an officer on a channel and report the provider's answer."""
    principal = current_principal()
    body = json_body()
    if not isinstance(body, dict):
        raise Problem(422, "The body must be a JSON object.")
    officer_id, channel = body.get("officer_id"), body.get("channel")
    errors = [
        {"field": name, "message": "required text", "code": "missing"}
        for name, value in (("officer_id", officer_id), ("channel", channel))
        if not isinstance(value, str) or not value.strip()
    ]
    if errors:
        raise Problem(422, "Name the officer and the channel.", errors=errors)
    officer_id, channel = str(officer_id).strip(), str(channel).strip()
    nd = notify_deps()
    profile = load(nd.recipients, officer_id)
    if profile is None or not profile.tenant or not principal.can_see(profile.tenant):
        raise Problem(404, f"Notify knows no officer {officer_id!r} in your region.")
    try:
        outcome = send_test(nd, officer_id, channel, f"{principal.name} ({principal.key_prefix})")
    except SendTestRefused as exc:
        raise Problem(exc.status, exc.message) from exc
    return jsonify(outcome.as_dict())
