"""Wiring triage to its database; ``deps.build`` then builds its dependencies."""

from __future__ import annotations

from services.triage.storage import models
from shared import mongo
from shared.settings import Settings

SERVICE = "triage"


def bootstrap(settings: Settings) -> None:
    """Register triage's database (lazily)."""
    mongo.connect(settings, models.ALIAS)


def ensure_indexes() -> None:
    models.ensure_indexes()
