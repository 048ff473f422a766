"""Which cases a list, an export or a statistics request is about: filters and their query.

Pure: the filters are a pydantic model (shared by ``GET /v1/cases``, ``POST /v1/exports``
and, in part, ``GET /v1/statistics``) and ``build_criteria`` turns them, the caller and the
current time into a MongoDB query. Nothing here touches the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from bson import ObjectId
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.intake.actions.status_machine import Status
from services.intake.cases.readers import own_filings
from services.intake.cases.schemas import Source
from services.intake.directory.schema import Unit
from shared.auth import Principal
from shared.categories import Category
from shared.contracts import CASE_ID_PATTERN
from shared.filter_types import Moment
from shared.problems import Problem
from shared.tracking_codes import normalise_tracking_code

# Statuses in which a case is finished; a case in one of them has ``closed_at`` and is never
# overdue. The lifecycle's status machine owns the transitions, this is only the set.
CLOSED_STATUSES: Final = ("rejected", "sanction_imposed", "closed", "duplicate", "withdrawn")

MAX_QUERY_TEXT: Final = 200
MAX_OFFICER_ID: Final = 64
MAX_TRACKING_CODE: Final = 40  # as typed: spaces and dashes included
# A page that names other cases (a repeat, related ones) asks for them in one list.
MAX_IDS: Final = 50


class CaseFilters(BaseModel):
    """What narrows a set of cases. Every filter is optional; all given ones must hold."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_QUERY_TEXT,
        description="Words to find in the title or description (whole words, no stemming; "
        '"quoted phrase", -excluded). Results stay newest first, not by relevance.',
    )
    status: Status | None = None
    category: Category | None = None
    priority: Literal["urgent", "high", "normal", "low"] | None = None
    source: Source | None = None
    region_code: str | None = Field(default=None, max_length=5)
    officer: str | None = Field(
        default=None, max_length=MAX_OFFICER_ID, description="The assigned officer's id"
    )
    unit: Unit | None = Field(default=None, description="The routed unit")
    submitted_from: Moment | None = None
    submitted_to: Moment | None = None
    updated_since: Moment | None = None
    due_after: Moment | None = Field(
        default=None, description="Statutory deadline at or after this moment"
    )
    due_before: Moment | None = Field(
        default=None, description="Statutory deadline before this moment"
    )
    overdue: bool | None = Field(
        default=None,
        description="true: deadline passed and the case is not closed; false: the others",
    )
    open: bool | None = Field(
        default=None, description="true: only cases not closed; false: only closed ones"
    )
    tracking_code: str | None = Field(
        default=None,
        max_length=MAX_TRACKING_CODE,
        description="A reporter's tracking code as typed (any case, dashes or spaces or none): "
        "the one case it names, if it is in your area.",
    )

    id: list[Annotated[str, StringConstraints(pattern=rf"^{CASE_ID_PATTERN}$")]] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_IDS,
        description="Case ids (repeat the parameter): only those of them in your area. What "
        "a page naming several other cases asks for them at once.",
    )

    @field_validator("tracking_code")
    @classmethod
    def _canonical_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        canonical = normalise_tracking_code(value)
        if canonical is None:
            raise ValueError("not a tracking code: 16 letters and digits, e.g. K7QM-3XPA-9D2F-HT6W")
        return canonical


def tenant_scope(principal: Principal) -> dict[str, Any]:
    """The query part that keeps ``principal`` inside what it may see.

    A provincial key sees its regencies and the cases transferred to the province itself
    (tenant "12"); the anchored regex still uses the tenant indexes' prefix bounds.
    """
    if principal.is_provincial:
        return {"tenant": {"$regex": f"^{principal.region}(?:\\.|$)"}}
    return {"tenant": principal.region}


def region_scope(principal: Principal, region_code: str | None) -> dict[str, Any]:
    """The tenant part of a query: the caller's whole area, or one region of it."""
    if not region_code:
        return tenant_scope(principal)
    if not principal.can_see(region_code):
        raise Problem(
            422,
            "You cannot see cases of that region.",
            errors=[{"field": "region_code", "message": "outside your area", "code": "tenant"}],
        )
    return {"tenant": region_code}


def build_criteria(filters: CaseFilters, principal: Principal, *, now: datetime) -> dict[str, Any]:
    """The MongoDB query selecting the cases ``filters`` describe, within the caller's area
    (for a submitter: the cases its key filed).

    ``now`` decides what is overdue, so an export run later selects what the request saw.
    """
    criteria = {**region_scope(principal, filters.region_code), **own_filings(principal)}
    for field, value in (
        ("triage.category", filters.category),
        ("triage.priority", filters.priority),
        ("source", filters.source),
        ("triage.assignee.officer_id", filters.officer),
        ("triage.unit", filters.unit),
    ):
        if value is not None:
            criteria[field] = value
    status: dict[str, Any] = {}
    if filters.status is not None:
        status["$eq"] = filters.status
    due: dict[str, Any] = {}
    if filters.due_after:
        due["$gte"] = filters.due_after
    if filters.due_before:
        due["$lt"] = filters.due_before
    if filters.open is True:
        status.setdefault("$nin", list(CLOSED_STATUSES))
    elif filters.open is False:
        status["$in"] = list(CLOSED_STATUSES)
    if filters.overdue is True:
        # "$lt" also leaves out cases without a deadline (not triaged yet): never overdue.
        due["$lt"] = min(due["$lt"], now) if "$lt" in due else now
        status["$nin"] = list(CLOSED_STATUSES)
    elif filters.overdue is False:
        criteria["$nor"] = [
            {"triage.due_at": {"$lt": now}, "status": {"$nin": list(CLOSED_STATUSES)}}
        ]
    if status:
        criteria["status"] = status
    if due:
        criteria["triage.due_at"] = due
    submitted = _range(filters.submitted_from, filters.submitted_to)
    if submitted:
        criteria["submitted_at"] = submitted
    if filters.updated_since:
        criteria["updated_at"] = {"$gte": filters.updated_since}
    if filters.tracking_code is not None:
        criteria["tracking_code"] = filters.tracking_code
    if filters.id is not None:
        criteria["_id"] = {"$in": [ObjectId(case_id) for case_id in dict.fromkeys(filters.id)]}
    if filters.q is not None:
        # The text index is built with language "none" (see models.Case): words match as
        # written, which is what Indonesian needs; "$caseSensitive" stays off.
        criteria["$text"] = {"$search": filters.q}
    return criteria


def _range(start: datetime | None, end: datetime | None) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    if start:
        bounds["$gte"] = start
    if end:
        bounds["$lt"] = end
    return bounds
