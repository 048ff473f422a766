"""The shapes of intake's answers about cases, for the OpenAPI document (requests use
``schemas.py``); the problem details every error has are ``shared.openapi``'s."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.openapi import FieldError


class _Open(BaseModel):
    # Answers may grow new fields; clients must ignore what they do not know.
    model_config = ConfigDict(extra="allow")


class CaseLinks(BaseModel):
    self: str
    track: str


class CaseCreated(BaseModel):
    id: str
    tracking_code: str
    status: str
    tenant: str
    late_filing: bool
    links: CaseLinks
    created: bool


class TimelineEntry(_Open):
    at: str
    kind: str
    summary: str


class ReporterView(BaseModel):
    anonymous: bool
    confidential: bool
    pseudonym: str | None


class CaseDetail(_Open):
    id: str
    tenant: str
    tracking_code: str
    status: str
    source: str
    title: str
    description: str
    occurred_at: str
    known_at: str
    submitted_at: str
    late_filing: bool
    accused: list[dict[str, Any]]
    evidence_urls: list[str]
    reporter: ReporterView | None = None
    triage: dict[str, Any]
    links: CaseLinks
    timeline: list[TimelineEntry] | None = None
    version: int | None = Field(default=None, description="The version a change must name")
    allowed_statuses: list[str] | None = Field(
        default=None, description="The statuses the case may move to next"
    )


class CaseList(BaseModel):
    items: list[CaseDetail]
    next_cursor: str | None
    count: int = Field(description="How many cases match, counted up to 10,000")
    count_capped: bool = Field(description="true: more than 10,000 match")


class FiledStep(BaseModel):
    """A status the case reached, and when (no one's name, no reason)."""

    at: str
    status: str


class FiledMessage(BaseModel):
    """What an officer wrote for the reporter, or the reporter's answer; never an author."""

    at: str
    text: str
    from_: Literal["officer", "reporter"] = Field(alias="from")
    kind: Literal["question", "message", "answer"]


class FiledCase(BaseModel):
    """A case as the submitter key that filed it reads it: what its tracking code shows the
    reporter, nothing of the people in it or of the officers' work."""

    model_config = ConfigDict(extra="forbid")

    id: str
    tenant: str
    tracking_code: str
    source: str | None
    source_ref: str | None = Field(description="The filer's own reference, as it sent it")
    status: str
    submitted_at: str
    updated_at: str
    late_filing: bool
    due_at: str | None = Field(description="The statutory deadline, once triage has set it")
    awaiting_reporter: bool = Field(
        description="An officer asked the reporter a question; the clock waits"
    )
    links: CaseLinks
    steps: list[FiledStep] | None = Field(
        default=None, description="The statuses the case went through (not in lists)"
    )
    messages: list[FiledMessage] | None = Field(
        default=None, description="What officers wrote for the reporter (not in lists)"
    )


class FiledCaseList(BaseModel):
    """A submitter's page of its own cases."""

    items: list[FiledCase]
    next_cursor: str | None
    count: int = Field(description="How many of its cases match, counted up to 10,000")
    count_capped: bool = Field(description="true: more than 10,000 match")


class BatchItem(_Open):
    index: int
    result: Literal["created", "existing", "invalid"]
    id: str | None = None
    tracking_code: str | None = None
    status: int | None = None
    errors: list[FieldError] | None = None


class BatchCounts(BaseModel):
    created: int
    existing: int
    invalid: int


class BatchResult(BaseModel):
    results: list[BatchItem]
    counts: BatchCounts


class TrackMessage(BaseModel):
    """A message on the reporter's thread: what officers wrote for the reporter (a question,
    an update) or the reporter's own answer; never a name."""

    waktu: str
    isi: str
    dari: Literal["petugas", "pelapor"] = "petugas"
    jenis: Literal["pertanyaan", "pesan", "jawaban"] = "pesan"


class TrackStep(BaseModel):
    """A status the case reached, and when."""

    waktu: str
    status: str


class TrackStatus(BaseModel):
    tracking_code: str
    status: str
    keterangan: str
    langkah_berikutnya: str
    diterima_pada: str
    diperbarui_pada: str
    wilayah: str | None = Field(default=None, description="The regency handling the report")
    batas_waktu: str | None = Field(
        default=None, description="When the office must have acted (the statutory deadline)"
    )
    menunggu_jawaban: bool = Field(
        default=False, description="An officer asked the reporter a question; the clock waits"
    )
    tahapan: list[TrackStep] = []
    pesan: list[TrackMessage] = []
