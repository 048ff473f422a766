"""The audit trail's collection. Entries are written only by ``case_actions`` (inserted, in
the same transaction as the change they record) and never updated or deleted by any code."""

from __future__ import annotations

import mongoengine as me

from services.intake.database import ALIAS


class AuditEntry(me.Document):
    """One change to one case; ``_id`` is ``<case id>:<seq>`` so a chain cannot fork."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "audit_trail",
        "strict": False,
        "indexes": [
            {"fields": ["case_id", "seq"], "unique": True},
            {"fields": ["tenant", "at"]},
        ],
    }

    id = me.StringField(primary_key=True)
    case_id = me.StringField(required=True)
    seq = me.IntField(required=True, min_value=1)
    tenant = me.StringField(required=True)
    at = me.StringField(required=True)
    actor = me.DictField()
    action = me.StringField(required=True)
    changes = me.ListField(me.DictField())
    request_id = me.StringField(null=True)
    prev = me.StringField(required=True)
    hash = me.StringField(required=True)
