"""Notify's documents: recipients (officers as notify knows them), the delivery ledger and the
rate-limit windows. The code writes through pymongo for atomic updates; these classes declare
the collections and their indexes."""

from __future__ import annotations

from datetime import UTC, datetime

import mongoengine as me

ALIAS = "notify"


def _now() -> datetime:
    return datetime.now(UTC)


class Recipient(me.Document):
    """An officer's contact data (kept current from events) and preferences (set by them)."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "recipients",
        "strict": False,
        "indexes": [{"fields": ["tenant"]}],
    }

    id = me.StringField(primary_key=True)
    name = me.StringField(required=True)
    email = me.StringField(null=True)
    phone = me.StringField(null=True)
    language = me.StringField(default="id")
    timezone = me.StringField(default="Asia/Jakarta")
    tenant = me.StringField(null=True)
    chat_url = me.StringField(null=True)
    preferences = me.DictField(null=True)
    updated_at = me.DateTimeField(default=_now)


class Delivery(me.Document):
    """One notification, digest or test send: its state and every attempt.

    The id is the deterministic key (case, event, recipient, channel) of an alert, or
    (recipient, channel, window) of a digest, so the unique ``_id`` index is what makes each
    go out once however often its event is delivered and however many workers run. Alerts
    held for a digest wait here too (status ``held``), so holding and sending can never both
    happen to one alert.
    """

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "deliveries",
        "strict": False,
        "indexes": [
            {"fields": ["case_id", "created_at"]},
            {"fields": ["case_ids"], "sparse": True},
            {"fields": ["status", "release_at"]},
            {"fields": ["kind", "status", "next_attempt_at"]},
            {"fields": ["digest_key"], "sparse": True},
            {"fields": ["recipient_id", "created_at"]},
        ],
    }

    id = me.StringField(primary_key=True)
    kind = me.StringField(default="alert")  # alert | digest | test
    case_id = me.StringField(null=True)
    case_ids = me.ListField(me.StringField())
    tenant = me.StringField(null=True)
    source_event_id = me.StringField(null=True)
    event_type = me.StringField(null=True)
    recipient_id = me.StringField(required=True)
    recipient_name = me.StringField(null=True)
    channel = me.StringField(required=True)
    # sending | pending | sent | failed | parked | held | digested | skipped
    status = me.StringField(required=True)
    reason = me.StringField(null=True)
    subject = me.StringField(null=True)
    lease_until = me.DateTimeField(null=True)
    attempts = me.ListField(me.DictField())
    created_at = me.DateTimeField(default=_now)
    sent_at = me.DateTimeField(null=True)
    fallback_for = me.StringField(null=True)
    window = me.StringField(null=True)
    release_at = me.DateTimeField(null=True)
    digest_key = me.StringField(null=True)
    next_attempt_at = me.DateTimeField(null=True)


class RateWindow(me.Document):
    """The alerts admitted for one recipient and channel in one rate-limit window."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "rate_windows",
        "strict": False,
        "indexes": [{"fields": ["expires_at"], "expireAfterSeconds": 0}],
    }

    id = me.StringField(primary_key=True)
    keys = me.ListField(me.StringField())
    expires_at = me.DateTimeField(required=True)
