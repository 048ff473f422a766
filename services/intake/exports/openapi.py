"""Export and statistics: the request and answer models and their part of intake's OpenAPI.

``api_exports`` and ``api_statistics`` validate requests and build answers through these
models, so the document describes what the code accepts and sends. ``MODELS`` go into the
document's components, ``paths()`` into its paths.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from services.intake.cases.filters import CaseFilters
from services.intake.exports.statistics import StatisticsQuery

ExportStatus = Literal["queued", "running", "done", "failed"]


class ExportRequest(CaseFilters):
    """The cases to export (the filters of ``GET /v1/cases``) and whether to add reporters."""

    include_reporter: bool = Field(
        default=False,
        description="Add the reporter's name, phone and e-mail (roles allowed to reveal "
        "reporters only; written to the access log)",
    )
    reason: str | None = Field(
        default=None,
        min_length=10,
        max_length=500,
        description="Why the identities are needed; required with include_reporter",
    )

    @model_validator(mode="after")
    def _reason_with_reporter(self) -> Self:
        if self.include_reporter and self.reason is None:
            raise PydanticCustomError(
                "reason_required", "say why you need the reporters' identities (10-500 characters)"
            )
        return self


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
    period: Period
    total: int = Field(ge=0)
    by_category: dict[str, int]
    by_status: dict[str, int]
    by_regency: dict[str, int]
    by_month: dict[str, int] = Field(description="Month of submission (YYYY-MM, local time)")
    time_to_first_action: Durations
    time_to_close: Durations
    closed_within_deadline: DeadlineShare
    regencies: list[RegencyStatistics] | None = Field(
        description="One row per regency, for a provincial key"
    )


MODELS: Final[list[type[BaseModel]]] = [ExportRequest, ExportJob, Statistics]

_AUTH: Final[list[dict[str, list[str]]]] = [{"bearerKey": []}]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(model: type[BaseModel], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(model.__name__)}},
        **extra,
    }


def _problems(descriptions: dict[int, str]) -> dict[str, Any]:
    return {
        str(status): {
            "description": text,
            "content": {"application/problem+json": {"schema": _ref("ProblemDetails")}},
        }
        for status, text in descriptions.items()
    }


def _query(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


_JOB_PROBLEMS: Final = {
    401: "Missing, unknown or revoked API key.",
    403: "The key's role may not export cases.",
    404: "No such export, not yours to see, or expired.",
}


def paths() -> dict[str, Any]:
    """The export and statistics operations, in the shape of the document's ``paths``."""
    export_id = {"name": "export_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/v1/exports": {
            "post": {
                "summary": "Export cases as CSV (a background job)",
                "description": "Takes the filters of GET /v1/cases. The file is written by "
                "intake's worker; follow the Location to see progress and, when done, the "
                "download link. Reporter identities are added only with include_reporter, "
                "for roles allowed to reveal reporters, and the export is written to the "
                "access log.",
                "security": _AUTH,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("ExportRequest")}},
                },
                "responses": {
                    "202": _json(
                        ExportJob,
                        "Queued.",
                        headers={
                            "Location": {
                                "description": "The job's status",
                                "schema": {"type": "string"},
                            }
                        },
                    ),
                    **_problems(
                        {
                            400: "Malformed body (not JSON).",
                            401: "Missing, unknown or revoked API key.",
                            403: "The key's role may not export, or may not add reporters.",
                            413: "Body too large.",
                            415: "Body is not JSON.",
                            422: "Invalid filters, or more cases than one export may hold.",
                            429: "Too many exports of this key queued or running.",
                            503: "The reporter vault is not available on this server.",
                        }
                    ),
                },
            }
        },
        "/v1/exports/{export_id}": {
            "get": {
                "summary": "An export's status and progress",
                "security": _AUTH,
                "parameters": [export_id],
                "responses": {
                    "200": _json(ExportJob, "The job."),
                    **_problems(_JOB_PROBLEMS),
                },
            }
        },
        "/v1/exports/{export_id}/download": {
            "get": {
                "summary": "The export's CSV file",
                "security": _AUTH,
                "parameters": [export_id],
                "responses": {
                    "200": {
                        "description": "UTF-8 CSV (with a byte order mark, for spreadsheets).",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    **_problems(
                        {
                            **_JOB_PROBLEMS,
                            409: "The export is not done (queued, running or failed).",
                            500: "The file is missing from storage.",
                        }
                    ),
                },
            }
        },
        "/v1/statistics": {
            "get": {
                "summary": "Counts and handling times of your area's cases",
                "description": "Counts by category, status, regency and month of submission; "
                "mean and median hours to the first action and to closing; the share of "
                "closed cases closed within their statutory deadline. A provincial key also "
                "gets one row per regency. No personal data.",
                "security": _AUTH,
                "parameters": _query(StatisticsQuery),
                "responses": {
                    "200": _json(Statistics, "The figures."),
                    **_problems(
                        {
                            401: "Missing, unknown or revoked API key.",
                            403: "The key's role may not read statistics.",
                            422: "Invalid filters, or a region outside your area.",
                        }
                    ),
                },
            }
        },
    }
