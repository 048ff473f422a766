"""The documents behind people's sign-in: accounts, one-time links, sessions, the sign-in log.

An account belongs to an officer of the directory (``_id`` = the officer id) and holds only
what signing in needs; who the person is stays in the directory entry, so ``officer.changed``
never carries a password hash. Writes go through the raw collections; these classes declare
the schema and the indexes. Expiring documents carry their own deletion time (TTL indexes).
"""

from __future__ import annotations

import mongoengine as me

from services.intake.database import ALIAS, now


class Account(me.Document):
    """A person's credentials: an Argon2id hash and, once enrolled, a sealed TOTP secret."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "accounts",
        "strict": False,
    }

    id = me.StringField(primary_key=True)
    password_hash = me.StringField(null=True)
    password_set_at = me.DateTimeField(null=True)
    totp_sealed = me.DictField(null=True)
    totp_enabled_at = me.DateTimeField(null=True)
    # The newest time step a code was accepted for: older ones are never accepted again.
    totp_last_step = me.IntField(null=True)
    created_at = me.DateTimeField(default=now)
    updated_at = me.DateTimeField(default=now)


class SignInLink(me.Document):
    """A one-time link (an invitation or a password reset); only a hash of it is stored."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "sign_in_links",
        "strict": False,
        "indexes": [
            {"fields": ["purge_at"], "expireAfterSeconds": 0, "name": "purge"},
            {"fields": ["officer_id", "-created_at"], "name": "officer_links"},
        ],
    }

    id = me.StringField(primary_key=True)
    officer_id = me.StringField(required=True)
    region = me.StringField(required=True)
    purpose = me.StringField(required=True)
    created_at = me.DateTimeField(default=now)
    expires_at = me.DateTimeField(required=True)
    # Kept a while after it expires so that a late click hears "expired", not "unknown".
    purge_at = me.DateTimeField(required=True)
    spent_at = me.DateTimeField(null=True)
    issued_by = me.DictField()


class PersonSession(me.Document):
    """A signed-in person's session; the token's secret is stored only as a hash."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "sessions",
        "strict": False,
        "indexes": [
            {"fields": ["expires_at"], "expireAfterSeconds": 0, "name": "absolute_expiry"},
            {"fields": ["officer_id"], "name": "officer_sessions"},
            {"fields": ["region", "-last_seen_at"], "name": "region_sessions"},
        ],
    }

    id = me.StringField(primary_key=True)
    secret_hash = me.StringField(required=True)
    officer_id = me.StringField(required=True)
    region = me.StringField(required=True)
    role = me.StringField(required=True)
    name = me.StringField(required=True)
    second_factor = me.BooleanField(default=False)
    created_at = me.DateTimeField(default=now)
    last_seen_at = me.DateTimeField(default=now)
    expires_at = me.DateTimeField(required=True)
    client_address = me.StringField(null=True)
    client_agent = me.StringField(null=True)


class SignInChallenge(me.Document):
    """The step between a right password and a session: a code to type, or a factor to set."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "sign_in_challenges",
        "strict": False,
        "indexes": [{"fields": ["expires_at"], "expireAfterSeconds": 0, "name": "expiry"}],
    }

    id = me.StringField(primary_key=True)
    officer_id = me.StringField(required=True)
    kind = me.StringField(required=True)
    pending_secret = me.DictField(null=True)
    attempts = me.IntField(default=0)
    client_address = me.StringField(null=True)
    client_agent = me.StringField(null=True)
    expires_at = me.DateTimeField(required=True)


class SignInFailure(me.Document):
    """One failed attempt on an account name, counted to slow down password guessing."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "sign_in_failures",
        "indexes": [
            {"fields": ["expires_at"], "expireAfterSeconds": 0, "name": "expiry"},
            {"fields": ["account", "at"], "name": "account_failures"},
        ],
    }

    account = me.StringField(required=True)
    at = me.DateTimeField(default=now)
    expires_at = me.DateTimeField(required=True)


class SignInLogEntry(me.Document):
    """What happened at the door, for auditors: every sign-in, failure and session's end."""

    meta = {
        "db_alias": ALIAS,
        "auto_create_index": False,
        "collection": "sign_in_log",
        "strict": False,
        "indexes": [
            {"fields": ["region", "-at"], "name": "region_log"},
            {"fields": ["officer_id", "-at"], "name": "officer_log"},
        ],
    }

    at = me.DateTimeField(default=now)
    event = me.StringField(required=True)
    region = me.StringField(null=True)
    officer_id = me.StringField(null=True)
    # A digest of the e-mail typed, so that attempts on one name can be grouped without
    # keeping addresses of people who are not in the directory.
    account_digest = me.StringField(null=True)
    address = me.StringField(null=True)
    agent = me.StringField(null=True)
    by = me.DictField(null=True)
    detail = me.StringField(null=True)
