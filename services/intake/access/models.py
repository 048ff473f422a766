"""What guards access: API keys, the reporter vault's sealed identities and the access log."""

from __future__ import annotations

import mongoengine as me

from services.intake.database import ALIAS, now


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
    created_at = me.DateTimeField(default=now)
    revoked_at = me.DateTimeField(null=True)


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
    created_at = me.DateTimeField(default=now)


class AccessLogEntry(me.Document):
    """Who read something sensitive (a reporter's identity), when, why. Append-only."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "access_log",
        "indexes": [{"fields": ["tenant", "-at"]}, {"fields": ["case_id", "-at"]}],
    }

    at = me.DateTimeField(default=now)
    tenant = me.StringField(required=True)
    case_id = me.StringField(required=True)
    action = me.StringField(required=True)
    actor_name = me.StringField(required=True)
    actor_key = me.StringField(required=True)
    actor_role = me.StringField(required=True)
    reason = me.StringField(required=True)
    request_id = me.StringField()
