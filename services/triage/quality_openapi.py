"""The shapes of triage's quality and evaluation answers, for its OpenAPI document (the
integration tests validate real answers against them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.triage.config_schema import MAX_RULES_CHARS


class CategoryQuality(BaseModel):
    category: str
    proposed: int = Field(description="Cases triage proposed in this category")
    labelled: int = Field(description="Cases officers put in this category")
    correct: int = Field(description="Both")
    precision: float | None = Field(description="correct / proposed; null when none proposed")
    recall: float | None = Field(description="correct / labelled; null when none labelled")


class QualityView(BaseModel):
    """How often triage's proposals agreed with officers' confirmations and overrides."""

    region_code: str = Field(description="The regency, or the province for all its regencies")
    days: Literal[30, 90]
    since: str
    until: str
    examples: int = Field(description="Cases confirmed or overridden in the window")
    correct: int
    accuracy: float | None
    categories: list[CategoryQuality]


class EvaluationBody(BaseModel):
    """A candidate rules version (the YAML the configuration API takes) and the regency whose
    labelled cases it is run over."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_RULES_CHARS)
    region_code: str | None = Field(
        default=None,
        max_length=20,
        description="The regency; a regency key's own when absent (a provincial key names it)",
    )


class ChangedCase(BaseModel):
    case_id: str
    final: str = Field(description="The category officers settled on")
    current: str = Field(description="The proposal of the rules in force")
    candidate: str = Field(description="The candidate's proposal")
    effect: Literal["fixed", "broken", "changed"]


class EvaluationView(BaseModel):
    """What the candidate would change on the regency's labelled cases; nothing is stored."""

    region_code: str
    current_rules_version: str | None
    candidate_rules_version: str
    examples: int
    correct_before: int
    correct_after: int
    accuracy_before: float | None
    accuracy_after: float | None
    changed: int
    lowers_accuracy: bool
    changes: list[ChangedCase] = Field(description="Only the cases whose proposal changes")
