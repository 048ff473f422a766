"""Intake's documents: cases (with their timeline and outbox) and API keys.

Writes that must be atomic with an event (a new case, a timeline entry) go through the raw
collection (``Model._get_collection()``), because they combine several update operators in
one document write; mongoengine declares the schema and the indexes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import mongoengine as me

ALIAS = "intake"


def _now() -> datetime:
    return datetime.now(UTC)


class ApiKey(me.Document):
    """An office's or a person's API key. Only a hash of the secret is stored."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "api_keys",
        "indexes": [{"fields": ["prefix"], "unique": True}, "region"],
    }

    prefix = me.StringField(required=True, max_length=16)
    secret_hash = me.StringField(required=True)
    name = me.StringField(required=True, max_length=200)
    region = me.StringField(required=True, max_length=5)
    role = me.StringField(required=True)
    # The person (officer directory id) whose key this is, so their actions are theirs.
    officer_id = me.StringField(null=True)
    created_at = me.DateTimeField(default=_now)
    revoked_at = me.DateTimeField(null=True)


class Case(me.Document):
    """A case as intake registers it. Outbox and timeline fields are written atomically."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "cases",
        "strict": False,
        "indexes": [
            {"fields": ["tracking_code"], "unique": True},
            {
                "fields": ["tenant", "source", "source_ref"],
                "unique": True,
                "name": "natural_key",
                "partialFilterExpression": {"source_ref": {"$type": "string"}},
            },
            {"fields": ["tenant", "-id"]},
            {"fields": ["tenant", "status", "-id"]},
            {"fields": ["tenant", "triage.category", "-id"]},
            {"fields": ["tenant", "triage.priority", "-id"]},
            {"fields": ["tenant", "updated_at"]},
            {"fields": ["tenant", "triage.due_at"]},
            {"fields": ["tenant", "triage.assignee.officer_id", "-id"]},
            {
                # Full-text search of GET /v1/cases?q=. MongoDB has no Indonesian stemmer, and
                # applying another language's (English: "pemilu" -> "pemilu", but "dinas" ->
                # "dina") would merge unrelated words and drop real ones as stop words, so
                # words are indexed as written. language_override points at a field no case
                # has: a case with a "language" field would otherwise pick its own stemmer.
                "fields": ["$title", "$description"],
                "name": "case_text",
                "default_language": "none",
                "language_override": "text_search_language",
                "weights": {"title": 3, "description": 1},
            },
        ],
    }

    tenant = me.StringField(required=True)
    tracking_code = me.StringField(required=True)
    source = me.StringField(required=True)
    source_ref = me.StringField(null=True)
    title = me.StringField(required=True)
    description = me.StringField(required=True)
    occurred_at = me.DateTimeField(required=True)
    known_at = me.DateTimeField(required=True)
    submitted_at = me.DateTimeField(default=_now)
    location = me.DictField()
    accused = me.ListField(me.DictField())
    evidence_urls = me.ListField(me.StringField())
    witnesses = me.ListField(me.DictField())
    late_filing = me.BooleanField(default=False)
    status = me.StringField(default="received")
    submitted_by = me.DictField()
    triage = me.DictField()
    timeline = me.ListField(me.DictField())
    processed_events = me.ListField(me.StringField())
    reporter = me.DictField()
    updated_at = me.DateTimeField(default=_now)


class ReporterRecord(me.Document):
    """A reporter's identity, sealed by the vault; ``_id`` is the case id."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "reporter_vault",
        "strict": False,
    }

    id = me.ObjectIdField(primary_key=True)
    tenant = me.StringField(required=True)
    key_id = me.StringField(required=True)
    nonce = me.BinaryField(required=True)
    ciphertext = me.BinaryField(required=True)
    created_at = me.DateTimeField(default=_now)


class AccessLogEntry(me.Document):
    """Who read something sensitive (a reporter's identity), when, why. Append-only."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "access_log",
        "indexes": [{"fields": ["tenant", "-at"]}, {"fields": ["case_id", "-at"]}],
    }

    at = me.DateTimeField(default=_now)
    tenant = me.StringField(required=True)
    case_id = me.StringField(required=True)
    action = me.StringField(required=True)
    actor_name = me.StringField(required=True)
    actor_key = me.StringField(required=True)
    actor_role = me.StringField(required=True)
    reason = me.StringField(required=True)
    request_id = me.StringField()
