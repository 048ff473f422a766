"""The answers of exports and statistics.

``exports.api`` and ``exports.statistics_api`` build their answers through these models, and
their views name them in their OpenAPI descriptions, so the document describes what the code
sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ExportStatus = Literal["queued", "running", "done", "failed"]


class ExportLinks(BaseModel):
    self: str
    download: str | None = Field(description="Present once the file is ready")


class ExportJob(BaseModel):
    """An export job: what it selects, how far it is, and where its file is."""

    model_config = ConfigDict(extra="allow")

    id: str
    status: ExportStatus
    include_reporter: bool
    filters: dict[str, Any]
    rows_written: int = Field(ge=0)
    total_estimated: int = Field(ge=0, description="Cases matching when the export was asked")
    percent: float = Field(ge=0, le=100)
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime
    finished_at: datetime | None
    expires_at: datetime = Field(description="The job and its file are deleted after this")
    error: str | None
    links: ExportLinks


class Durations(BaseModel):
    count: int = Field(ge=0, description="Cases measured")
    mean_hours: float | None
    median_hours: float | None


class DeadlineShare(BaseModel):
    closed_with_deadline: int = Field(ge=0)
    within_deadline: int = Field(ge=0, description="Closed at or before the statutory deadline")
    share: float | None = Field(ge=0, le=1, description="within / closed; null without cases")


class Period(BaseModel):
    from_: str | None = Field(alias="from")
    to: str | None


class WeekFigures(BaseModel):
    week_start: str = Field(description="The week's Monday (YYYY-MM-DD, local time)")
    received: int = Field(ge=0, description="Cases submitted in the week")
    closed: int = Field(ge=0, description="Cases closed in the week, whenever submitted")


class RegencyStatistics(BaseModel):
    region_code: str
    total: int = Field(ge=0)
    by_status: dict[str, int]
    time_to_first_action: Durations
    time_to_close: Durations
    closed_within_deadline: DeadlineShare


class Statistics(BaseModel):
    """Counts and durations over the caller's area; codes and figures, nothing personal."""

    region_code: str
    category: str | None = Field(description="The one category counted; null for all")
    period: Period
    total: int = Field(ge=0)
    by_category: dict[str, int]
    by_status: dict[str, int]
    by_regency: dict[str, int]
    by_month: dict[str, int] = Field(description="Month of submission (YYYY-MM, local time)")
    time_to_first_action: Durations
    time_to_close: Durations
    closed_within_deadline: DeadlineShare
    weekly: list[WeekFigures] = Field(
        description="The 12 weeks up to the period's end (or now), oldest first"
    )
    regencies: list[RegencyStatistics] | None = Field(
        description="One row per regency, for a provincial key"
    )
