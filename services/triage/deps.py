"""What triage's handlers, escalation ladder and API need, and how the real ones are built.

The handlers, ``case_moves``, the ladder and the HTTP views all take a ``TriageDeps``; the
worker and the app build it once per process with :func:`build`, and tests build it over
their own database with a fake clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pymongo.client_session import ClientSession
from pymongo.collection import Collection

from services.triage.domain.calendar import WorkingCalendar
from services.triage.domain.dedup import DedupConfig
from services.triage.domain.ladder import LadderConfig, next_wakeup
from services.triage.roster import load_roster
from services.triage.rules_files import default_rules_text, load_rules_text
from services.triage.storage import models
from services.triage.storage.config import ConfigStore, Defaults, TenantConfig
from services.triage.storage.filing_guards import COLLECTION as GUARDS
from services.triage.storage.filing_guards import FilingGuards
from services.triage.storage.open_load import RecentLoads, open_load
from services.triage.storage.state_codec import assignment_from_doc, clock_from_doc
from services.triage.storage.transactions import in_transaction
from shared.settings import Settings

Document = dict[str, Any]
T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class TriageDeps:
    """What the handlers, the ladder and the API need; tests build it over real collections."""

    decisions: Collection[Document]
    cases: Collection[Document]
    facts: Collection[Document]
    steps: Collection[Document]
    config: ConfigStore
    # Officers' labels of triage's proposals (``storage/examples``).
    examples: Collection[Document]
    clock: Callable[[], datetime] = _utcnow
    dedup: DedupConfig = field(default_factory=DedupConfig)
    ladder: LadderConfig = field(default_factory=LadderConfig)

    # This process's copies of the regencies' open loads, for routing new cases.
    loads: RecentLoads = field(init=False)
    # One filing at a time per regency across replicas (storage/filing_guards).
    guards: FilingGuards = field(init=False)

    def __post_init__(self) -> None:
        self.loads = RecentLoads(self.open_load)
        self.guards = FilingGuards()

    def hold_regencies(self, tenants: Iterable[str], session: ClientSession) -> None:
        """Order this transaction's duplicate search after any other replica's in
        ``tenants`` (call it first: a filing that must wait does nothing before)."""
        guards = self.facts.database[GUARDS]  # the transaction's client, as the facts'
        self.guards.hold(guards, tenants, session)

    def transaction(
        self, work: Callable[[ClientSession], T], *, adds_cases_only: bool = False
    ) -> T:
        """Run ``work`` in one transaction. Such a write may close a case or move it to
        another officer, so the copies of the open loads are dropped; unless it only adds
        new cases (``adds_cases_only``), whose assignments the caller adds to the copies."""
        try:
            return in_transaction(self.cases.database.client, work)
        finally:
            if not adds_cases_only:
                self.loads.forget()

    def outbox_collections(self) -> list[Collection[Document]]:
        """Where triage's unpublished events wait, for the relay and the pipeline view:
        decisions (case.triaged, assigned, duplicate_detected), fired ladder steps
        (case.escalated, re-sent or re-routed case.assigned) and case states (the
        case.assigned of a case transferred to another region)."""
        return [self.decisions, self.steps, self.cases]

    def calendar(self, config: TenantConfig, *moments: datetime) -> WorkingCalendar:
        return self.config.calendar(config, *moments)

    def open_load(self, tenant: str, session: ClientSession | None = None) -> dict[str, int]:
        """Open cases per assigned officer of ``tenant``, read now (one aggregation); a new
        case's routing reads ``loads`` instead."""
        return open_load(self.cases, tenant, session)

    def wakeup(
        self,
        config: TenantConfig,
        state: Mapping[str, Any],
        fired: Iterable[str],
        now: datetime,
    ) -> datetime | None:
        """When the ladder must next look at a case (None: nothing can become due)."""
        if not state.get("open", True) or state.get("duplicate_of"):
            return None
        assignment = assignment_from_doc(state.get("assignment"))
        if assignment is None:
            return None
        clock = clock_from_doc(state["clock"])
        calendar = self.calendar(config, clock.started_at, clock.deadline, now)
        return next_wakeup(
            clock, assignment.state, frozenset(fired), now, calendar=calendar, config=self.ladder
        )


def defaults(settings: Settings) -> Defaults:
    """The shipped rules and the configured roster, validated: a broken file stops the start
    with every problem named, rather than triaging with half a configuration."""
    text = default_rules_text()
    return Defaults(
        rules=load_rules_text(text), rules_text=text, roster=load_roster(settings.roster_file)
    )


def build(settings: Settings) -> TriageDeps:
    """Dependencies over the real collections (the database must be registered first:
    ``bootstrap.bootstrap``)."""
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
        examples=models.LabelledExample._get_collection(),
    )
