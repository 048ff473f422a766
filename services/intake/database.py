"""Intake's database: the alias every intake document is registered under."""

from __future__ import annotations

from datetime import UTC, datetime

ALIAS = "intake"


def now() -> datetime:
    """The current moment in UTC: the default of every stored timestamp."""
    return datetime.now(UTC)
