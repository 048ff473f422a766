"""Wiring triage to its real adapters."""

from __future__ import annotations

from services.triage.handlers import TriageDeps
from services.triage.roster import load_roster
from services.triage.rules_files import default_rules_text, load_rules_text
from services.triage.storage import models
from services.triage.storage.config import ConfigStore, Defaults
from shared import mongo
from shared.settings import Settings

SERVICE = "triage"


def bootstrap(settings: Settings) -> None:
    """Register triage's database (lazily)."""
    mongo.connect(settings, models.ALIAS)


def ensure_indexes() -> None:
    models.ensure_indexes()


def defaults(settings: Settings) -> Defaults:
    """The shipped rules and the configured roster, validated: a broken file stops the start
    with every problem named, rather than triaging with half a configuration."""
    text = default_rules_text()
    return Defaults(
        rules=load_rules_text(text), rules_text=text, roster=load_roster(settings.roster_file)
    )


def deps(settings: Settings) -> TriageDeps:
    """Dependencies over the real collections."""
    config = ConfigStore(
        models.ConfigVersion._get_collection(),
        models.ConfigHead._get_collection(),
        defaults(settings),
        models.DirectoryOfficer._get_collection(),
    )
    return TriageDeps(
        decisions=models.TriageDecision._get_collection(),
        cases=models.CaseState._get_collection(),
        facts=models.DedupFact._get_collection(),
        steps=models.LadderStepRecord._get_collection(),
        config=config,
    )
