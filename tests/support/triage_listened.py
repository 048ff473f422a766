"""Triage over a MongoDB client of the test's own, for tests that watch the commands it sends."""

from __future__ import annotations

import dataclasses
from typing import Any

from pymongo import MongoClient, monitoring

from services.triage.bootstrap import bootstrap, ensure_indexes
from services.triage.deps import TriageDeps, build
from shared.settings import Settings
from tests.unit.triage.builders import FakeClock

Document = dict[str, Any]


def listened_triage(
    settings: Settings, *listeners: monitoring.CommandListener
) -> tuple[TriageDeps, MongoClient[Document]]:
    """Triage's dependencies whose collections come from a client with ``listeners`` (close
    the client after the test), on a fake clock."""
    bootstrap(settings)
    ensure_indexes()
    built = build(settings)
    client: MongoClient[Document] = MongoClient(settings.mongo_url, event_listeners=listeners)
    database = client[built.cases.database.name]
    # Every collection a transaction writes must come from the client that starts it.
    triage = dataclasses.replace(
        built,
        decisions=database[built.decisions.name],
        cases=database[built.cases.name],
        facts=database[built.facts.name],
        steps=database[built.steps.name],
        examples=database[built.examples.name],
        clock=FakeClock(),
    )
    return triage, client
