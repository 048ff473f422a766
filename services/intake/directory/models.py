"""The officer directory's document: one per officer, ``_id`` = the officer id.

Every change and its ``officer.changed`` event are one document write (the embedded outbox
of ``shared.outbox``), so triage and notify hear of each version exactly as it was stored.
Writes go through the raw collection; this class declares the schema and the indexes.
"""

from __future__ import annotations

import mongoengine as me

from services.intake.database import ALIAS, now


class OfficerEntry(me.Document):
    """An officer: where they work, how to reach them, whom they must not judge."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "officers",
        "strict": False,
        "indexes": [
            {"fields": ["region", "unit", "id"], "name": "region_unit"},
            {"fields": ["active", "region"], "name": "active_region"},
        ],
    }

    id = me.StringField(primary_key=True)
    region = me.StringField(required=True, max_length=5)
    unit = me.StringField(required=True)
    role = me.StringField(required=True)
    name = me.StringField(required=True)
    email = me.StringField(null=True)
    phone = me.StringField(null=True)
    language = me.StringField(default="id")
    timezone = me.StringField(required=True)
    conflicts = me.ListField(me.StringField())
    active = me.BooleanField(default=True)
    version = me.IntField(required=True)
    created_at = me.DateTimeField(default=now)
    updated_at = me.DateTimeField(default=now)
    updated_by = me.DictField()
