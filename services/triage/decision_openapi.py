"""The shapes of triage's decision answers, for its OpenAPI document.

``api_decisions`` builds these answers from stored decisions and case states; the integration
and fuzz tests validate every real answer against these models' schemas, so a field renamed
in the code without the model following fails a test. Answers may carry more fields than
named here (a stored decision keeps what later versions add); clients ignore what they do
not know.
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ClassificationReason(_Open):
    category: str = Field(description="The category this evidence points to")
    phrase: str = Field(description="The lexicon phrase that matched")
    matched: str = Field(description="The text as it appeared in the case")
    field: str = Field(description="title, description or evidence_urls")
    weight: float = Field(description="Negative for near-miss rules")


class DuplicateMatch(_Open):
    case_id: str
    kind: str
    score: float
    reasons: list[str]


class Recusal(_Open):
    officer_id: str
    reason: str


class Decision(_Open):
    """One stored triage decision: the proposal (or an officer's override), why, and the
    rules and configuration versions that produced it."""

    decision_id: str
    case_id: str
    tenant: str
    kind: str = Field(description="What made it: the submission, a move, an override …")
    category: str
    priority: str
    sanction_level: str
    created_at: AwareDatetime
    applied: bool | None = None
    previous_decision_id: str | None = None
    source_event_id: str | None = None
    secondary: list[str] | None = None
    confidence: float | None = None
    needs_review: bool | None = None
    flags: list[str] | None = None
    reasons: list[ClassificationReason] | None = None
    priority_score: float | None = None
    priority_reasons: list[str] | None = None
    due_at: AwareDatetime | None = None
    stage: str | None = None
    late_filing: bool | None = None
    duplicate_of: str | None = None
    related: list[DuplicateMatch] | None = None
    unit: str | None = None
    assignee_id: str | None = None
    to_province: bool | None = None
    recusals: list[Recusal] | None = None
    routing_reasons: list[str] | None = None
    explanation: str | None = None
    rules_version: str | None = None
    config_versions: dict[str, Any] | None = None
    decided_by: str | None = None
    override_reason: str | None = None


class ClockView(BaseModel):
    """The statutory clock of the case, in working days of its regency."""

    stage: str
    unit: str
    zone: str
    started_at: AwareDatetime
    deadline: AwareDatetime
    paused: bool
    stopped: bool
    paused_days: int
    status: str = Field(description="on_time, due_soon, breached or paused")
    working_days_left: int = Field(
        description="Working days from today to the deadline's day (0: today; negative: past)"
    )
    history: list[dict[str, Any]]


class LadderView(BaseModel):
    fired_steps: list[str]
    next_wakeup: AwareDatetime | None


class TriageView(BaseModel):
    """The decision in force for a case, its explanation, clock, assignment and links."""

    case_id: str
    region_code: str
    status: str | None
    open: bool
    decision: Decision
    explanation: str | None
    override: dict[str, Any] | None
    late_filing: bool
    clock: ClockView
    past_clocks: list[dict[str, Any]]
    assignment: dict[str, Any] | None
    duplicate_of: str | None
    links: list[dict[str, Any]]
    ladder: LadderView


class TriageHistory(BaseModel):
    case_id: str
    decisions: list[Decision] = Field(description="Oldest first")


class DryRunRouting(BaseModel):
    unit: str
    officer_id: str | None
    to_province: bool
    recusals: list[Recusal]
    reasons: list[str]


class DryRunResult(BaseModel):
    """What triage would decide for the text now; nothing is stored."""

    stored: bool = Field(description="Always false")
    region_code: str
    category: str
    label: str
    label_en: str
    secondary: list[str]
    confidence: float
    needs_review: bool
    flags: list[str]
    warnings: list[str]
    reasons: list[ClassificationReason]
    sanction_level: str
    priority: str
    priority_reasons: list[str]
    stage: str
    due_at: AwareDatetime
    late_filing: bool
    duplicate_of: str | None
    matches: list[DuplicateMatch]
    routing: DryRunRouting | None
    explanation: str
    explanation_en: str
    rules_version: str
    config_versions: dict[str, Any]


class ClusterCase(_Open):
    case_id: str
    tenant: str | None = None
    received_at: AwareDatetime | None = None
    category: str | None = None


class Cluster(BaseModel):
    key: str
    regions: list[str]
    cases: list[ClusterCase]


class ProvinceClusters(BaseModel):
    """The same hoax reported in several regencies of a province."""

    province: str
    since: AwareDatetime
    clusters: list[Cluster]
