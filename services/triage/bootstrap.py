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
    """The indexes, and the stored fields they need that older versions did not write."""
    models.ensure_indexes()
    # Twice the matching window: a case triaged again later searches around its own date.
    since = datetime.now(UTC) - 2 * DedupConfig().window
    backfill_person_fields(models.DedupFact._get_collection(), since)
