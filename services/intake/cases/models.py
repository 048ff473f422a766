"""The case as intake registers it, with its timeline and outbox.

Writes that must be atomic with an event (a new case, a timeline entry) go through the raw
collection (``Case._get_collection()``), because they combine several update operators in
one document write; mongoengine declares the schema and the indexes.
"""

from __future__ import annotations

import mongoengine as me

from services.intake.database import ALIAS, now


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
            # A submitter's own cases (cases/readers.py), newest first.
            {"fields": ["tenant", "submitted_by.key", "-id"]},
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
    submitted_at = me.DateTimeField(default=now)
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
    updated_at = me.DateTimeField(default=now)
