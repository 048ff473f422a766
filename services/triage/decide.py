"""One triage decision for a case: pure, so it can be shown, tested and dry-run.

Classification, weight, statutory clock, duplicate matching and routing are each pure
domain functions; this module only feeds them the case, the regency's configuration and
what storage found (candidate cases, officers' open load), and puts their answers together
into what the worker stores and announces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from services.triage.domain.calendar import WorkingCalendar
from services.triage.domain.classifier import CaseFacts, Classification
from services.triage.domain.dedup import (
    DedupConfig,
    DedupFacts,
    Match,
    facts_from,
    find_matches,
)
from services.triage.domain.mentions import mentioned_people
from services.triage.domain.proposal import propose
from services.triage.domain.routing import (
    Officer,
    RoutingDecision,
    normalise_person_key,
    route,
)
from services.triage.domain.sla import (
    DEFAULT_RULES,
    LAPOR_VERIFICATION,
    Clock,
    is_late_filing,
    start_clock,
)
from services.triage.domain.weight import WeighFacts, Weight, weigh
from services.triage.storage.config import TenantConfig
from shared import dates
from shared.contracts import AccusedRef, CaseSubmitted, CaseUpdated
from shared.regions import timezone_for

# The first stage an officer works against: verifying the report (SP4N-LAPOR! standard).
FIRST_STAGE = LAPOR_VERIFICATION
PROVINCE_UNIT = "PROVINSI"
# A Pilkada violation must be reported within 7 days of being known (Perpu 1/2014 art. 134).
REPORT_WINDOW_DAYS = 7
_MAX_RELATED = 5


@dataclass(frozen=True)
class CaseInput:
    """What triage knows of a case: the submitted fields, updated by later changes."""

    case_id: str
    tenant: str
    tracking_code: str
    title: str
    description: str
    evidence_urls: tuple[str, ...]
    accused: tuple[AccusedRef, ...]
    source: str
    submitted_at: datetime
    known_at: datetime
    late_filing_reported: bool = False

    @classmethod
    def from_submitted(cls, event: CaseSubmitted, tenant: str) -> CaseInput:
        return cls(
            case_id=event.case_id,
            tenant=tenant,
            tracking_code=event.tracking_code,
            title=event.title,
            description=event.description,
            evidence_urls=tuple(event.evidence_urls),
            accused=tuple(event.accused),
            source=event.source,
            submitted_at=event.submitted_at.astimezone(UTC),
            known_at=event.known_at.astimezone(UTC),
            late_filing_reported=event.late_filing,
        )

    def updated(self, event: CaseUpdated) -> CaseInput:
        """The case after an edit (title, description, evidence, accused)."""
        return replace(
            self,
            title=event.title,
            description=event.description,
            evidence_urls=tuple(event.evidence_urls),
            accused=tuple(event.accused),
        )

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.description}"

    def accused_keys(self) -> frozenset[str]:
        return frozenset(key for a in self.accused for key in (a.nip, a.name) if key)

    def as_doc(self) -> dict[str, Any]:
        return {
            "tracking_code": self.tracking_code,
            "title": self.title,
            "description": self.description,
            "evidence_urls": list(self.evidence_urls),
            "accused": [a.model_dump() for a in self.accused],
            "source": self.source,
            "submitted_at": self.submitted_at,
            "known_at": self.known_at,
            "late_filing_reported": self.late_filing_reported,
        }

    @classmethod
    def from_doc(cls, case_id: str, tenant: str, doc: Mapping[str, Any]) -> CaseInput:
        return cls(
            case_id=case_id,
            tenant=tenant,
            tracking_code=str(doc.get("tracking_code", "")),
            title=str(doc.get("title", "")),
            description=str(doc.get("description", "")),
            evidence_urls=tuple(doc.get("evidence_urls", ())),
            accused=tuple(AccusedRef.model_validate(a) for a in doc.get("accused", ())),
            source=str(doc.get("source", "public_report")),
            submitted_at=dates.in_utc(doc["submitted_at"]),
            known_at=dates.in_utc(doc["known_at"]),
            late_filing_reported=bool(doc.get("late_filing_reported", False)),
        )


@dataclass(frozen=True)
class Candidate:
    """An earlier case storage found under a shared blocking key."""

    facts: DedupFacts
    duplicate_of: str | None = None


@dataclass(frozen=True)
class Decision:
    """Everything triage proposes for a case, with the reasons."""

    classification: Classification
    weight: Weight
    clock: Clock
    routing: RoutingDecision | None  # None for an exact duplicate: it is not assigned again
    late_filing: bool
    duplicate_of: str | None
    matches: tuple[Match, ...]

    @property
    def related(self) -> tuple[Match, ...]:
        """Linked cases other than the one this case duplicates, at most a handful."""
        others = [m for m in self.matches if m.case_id != self.duplicate_of]
        return tuple(others[:_MAX_RELATED])

    def explanation(self) -> str:
        """A few plain sentences an officer can read to see why."""
        parts = [self.classification.explain("id")]
        if self.weight.reasons:
            parts.append("Prioritas: " + "; ".join(self.weight.reasons) + ".")
        if self.late_filing:
            parts.append(
                f"Laporan terlambat: disampaikan lebih dari {REPORT_WINDOW_DAYS} hari sejak "
                "pelanggaran diketahui."
            )
        if self.duplicate_of:
            first = next((m for m in self.matches if m.case_id == self.duplicate_of), None)
            why = f" ({', '.join(first.reasons)})" if first else ""
            parts.append(
                f"Duplikat dari kasus {self.duplicate_of}{why}: tidak ditugaskan dan tidak "
                "diberitahukan lagi."
            )
        if self.related:
            parts.append(
                "Kasus terkait: "
                + "; ".join(f"{m.case_id} ({', '.join(m.reasons)})" for m in self.related)
                + "."
            )
        if self.routing is not None:
            parts.append("Penugasan: " + "; ".join(self.routing.reasons) + ".")
        return " ".join(parts)


def dedup_facts(case: CaseInput, category: str | None = None) -> DedupFacts:
    """The comparison facts of a case."""
    facts = _facts_of(
        case.case_id,
        case.tenant,
        case.submitted_at,
        case.title,
        case.description,
        case.evidence_urls,
        tuple((a.name, a.nip, a.agency) for a in case.accused),
    )
    return facts if category is None else replace(facts, category=category)


# One triage wants a case's facts three times (the candidate search, matching, the stored
# copy) and the text signature is most of their cost; the key is every field they read.
@lru_cache(maxsize=16)
def _facts_of(
    case_id: str,
    tenant: str,
    received_at: datetime,
    title: str,
    description: str,
    evidence_urls: tuple[str, ...],
    accused: tuple[tuple[str, str | None, str | None], ...],
) -> DedupFacts:
    return facts_from(case_id, tenant, received_at, title, description, evidence_urls, accused)


def propose_route(
    config: TenantConfig,
    category: str,
    case: CaseInput,
    officers: Sequence[Officer],
    exclude: frozenset[str] = frozenset(),
) -> RoutingDecision:
    """Unit and officer for a case; officers in ``exclude`` (already tried) are passed over.

    The candidate pair a case concerns is read from its text: a name an officer declared a
    conflict with counts when the report mentions it.
    """
    if config.table is None:
        return RoutingDecision(
            unit=PROVINCE_UNIT,
            officer_id=None,
            to_province=True,
            recusals=(),
            reasons=(
                f"tidak ada tabel penugasan untuk {config.tenant}",
                "diteruskan ke provinsi",
            ),
        )
    pool = [replace(o, available=False) if o.officer_id in exclude else o for o in officers]
    accused = case.accused_keys()
    accused_norm = {normalise_person_key(k) for k in accused}
    declared = {c for o in pool for c in o.conflicts}
    candidates = frozenset(
        name
        for name in mentioned_people(case.text, declared)
        if normalise_person_key(name) not in accused_norm
    )
    decision = route(category, accused, candidates, config.table, pool)
    if exclude and not decision.to_province:
        decision = replace(
            decision,
            reasons=(*decision.reasons, f"{len(exclude)} petugas sebelumnya tidak merespons"),
        )
    return decision


def with_load(officers: Sequence[Officer], load: Mapping[str, int]) -> tuple[Officer, ...]:
    """The officers with their current number of open cases."""
    return tuple(replace(o, open_cases=load.get(o.officer_id, 0)) for o in officers)


def decide(
    case: CaseInput,
    *,
    config: TenantConfig,
    officers: Sequence[Officer],
    calendar: WorkingCalendar,
    now: datetime,
    candidates: Sequence[Candidate] = (),
    clock: Clock | None = None,
    dedup: DedupConfig | None = None,
) -> Decision:
    """The decision for ``case``.

    ``officers`` carry their current open load; ``candidates`` are earlier cases sharing a
    blocking key; ``clock`` is the case's running clock (a re-triage keeps it), else one is
    started at submission.
    """
    rules = config.rules
    classification = propose(
        CaseFacts(
            title=case.title,
            description=case.description,
            evidence_urls=case.evidence_urls,
            employment_types=tuple(a.employment_type for a in case.accused),
            positions=tuple(a.position for a in case.accused if a.position),
            source=case.source,
        ),
        rules,
    )
    facts = dedup_facts(case, classification.category)
    matches = tuple(find_matches(facts, [c.facts for c in candidates], dedup or DedupConfig()))
    roots = {c.facts.case_id: c.duplicate_of for c in candidates}
    duplicate_of: str | None = None
    if matches and matches[0].kind == "duplicate":
        duplicate_of = roots.get(matches[0].case_id) or matches[0].case_id
    prior = len(
        {
            c.facts.case_id
            for c in candidates
            if c.facts.accused_nips & facts.accused_nips and c.facts.case_id != duplicate_of
        }
    )
    running = clock or start_clock(DEFAULT_RULES[FIRST_STAGE], case.submitted_at, calendar)
    weight = weigh(
        classification,
        WeighFacts(
            employment_types=tuple(a.employment_type for a in case.accused),
            positions=tuple(a.position for a in case.accused if a.position),
            text=case.text,
            prior_cases_of_accused=prior,
            days_since_known=max(0.0, (now - case.known_at).total_seconds() / 86400),
            days_to_deadline=(running.deadline - now).total_seconds() / 86400,
        ),
        rules,
    )
    routing = (
        None
        if duplicate_of is not None
        else propose_route(config, classification.category, case, officers)
    )
    return Decision(
        classification=classification,
        weight=weight,
        clock=running,
        routing=routing,
        late_filing=late_filing(case),
        duplicate_of=duplicate_of,
        matches=matches,
    )


def late_filing(case: CaseInput) -> bool:
    """Whether the report came after the 7-day window (intake's flag, or computed here)."""
    if case.late_filing_reported:
        return True
    if case.submitted_at < case.known_at:
        return False  # an impossible "known" date in the future cannot make a report late
    return is_late_filing(
        case.known_at, case.submitted_at, REPORT_WINDOW_DAYS, tz=timezone_for(case.tenant)
    )
