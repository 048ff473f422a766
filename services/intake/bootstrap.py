"""Wiring intake to its real adapters; the app, the worker and the tools all start here."""

from __future__ import annotations

from services.intake.access.account_models import (
    Account,
    PersonSession,
    SignInChallenge,
    SignInFailure,
    SignInLink,
    SignInLogEntry,
)
from services.intake.access.models import AccessLogEntry, ApiKey, ReporterRecord
from services.intake.actions.audit_models import AuditEntry
from services.intake.cases.idempotency import IdempotencyStore
from services.intake.cases.models import Case
from services.intake.database import ALIAS
from services.intake.directory import officers
from services.intake.directory.models import OfficerEntry
from services.intake.exports.jobs import ensure_indexes as ensure_export_indexes
from shared import mongo, outbox, ratelimit
from shared.settings import Settings

SERVICE = "intake"


def bootstrap(settings: Settings) -> None:
    """Register intake's database (lazily: no socket is opened here)."""
    mongo.connect(settings, ALIAS)


def ensure_indexes() -> None:
    """Create intake's indexes; idempotent, run by the worker and the tools at start."""
    ApiKey.ensure_indexes()
    Case.ensure_indexes()
    ReporterRecord.ensure_indexes()
    AccessLogEntry.ensure_indexes()
    AuditEntry.ensure_indexes()
    outbox.ensure_indexes(Case._get_collection())
    officers.ensure_indexes()
    outbox.ensure_indexes(OfficerEntry._get_collection())
    for document in (Account, PersonSession, SignInChallenge, SignInFailure, SignInLogEntry):
        document.ensure_indexes()
    SignInLink.ensure_indexes()
    outbox.ensure_indexes(SignInLink._get_collection())
    db = mongo.database(ALIAS)
    IdempotencyStore(db["idempotency"]).ensure_indexes()
    ratelimit.ensure_indexes(db["rate_limits"])
    ensure_export_indexes(db)
