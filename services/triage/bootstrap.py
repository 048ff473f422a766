"""Wiring triage to its database; ``deps.build`` then builds its dependencies."""

from __future__ import annotations

from datetime import UTC, datetime

from services.triage.domain.dedup import DedupConfig
from services.triage.storage import models
from services.triage.storage.dedup_facts import backfill_person_fields
from shared import mongo
from shared.settings import Settings

SERVICE = "triage"


def bootstrap(settings: Settings) -> None:
    """Register triage's database (lazily)."""
    mongo.connect(settings, models.ALIAS)


def ensure_indexes() -> None:
    """The indexes; every process that serves triage ensures them as it starts."""
    models.ensure_indexes()


def backfill_stored_fields() -> None:
    """Write the stored fields the indexes need where older versions did not: the worker's
    work at its start (it is the only process that searches by them), not every HTTP
    process's."""
    # Twice the matching window: a case triaged again later searches around its own date.
    since = datetime.now(UTC) - 2 * DedupConfig().window
    backfill_person_fields(models.DedupFact._get_collection(), since)
