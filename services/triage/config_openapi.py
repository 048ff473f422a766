"""The shapes of a regency's triage configuration over HTTP, for triage's OpenAPI document.

Requests: each kind's payload as ``services.triage.config_schema`` parses it (it answers 422
naming every problem, so the schemas here say what is accepted, not everything refused), and
the change of one officer, which ``api_config`` parses with ``OfficerChange`` itself.
Answers: what ``api_config`` shows of the configuration in force and of its history.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

from services.triage.config_schema import MAX_CALENDAR_ENTRIES, MAX_OFFICERS, MAX_RULES_CHARS
from services.triage.domain.calendar import EntryKind
from services.triage.domain.routing import Role

MAX_REASON: Final = 2_000
_REASON = Field(default=None, max_length=MAX_REASON, description="Why; kept in the history")
Source = Literal["override", "shipped"]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests ----------------------------------------------------------------------------------


class RulesPayload(_Closed):
    """The rules (taxonomy, lexicon, weights) as YAML text."""

    text: str = Field(min_length=1, max_length=MAX_RULES_CHARS)
    reason: str | None = _REASON
    force: bool = Field(
        default=False,
        description="Activate even though the rules agree with officers' labels on fewer "
        "confirmed cases than those in force (409 otherwise); needs a reason, kept with the "
        "evaluation's figures in the history.",
    )


class RoutingTableDoc(BaseModel):
    units: list[str]
    default_unit: str
    by_category: dict[str, str] = Field(description="Category code → unit")


class RoutingPayload(RoutingTableDoc):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = _REASON


class RosterOfficer(_Closed):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    unit: str = Field(min_length=1, description="A unit of the regency's routing table")
    role: Role = "officer"
    available: bool = True
    conflicts: list[str] = Field(default_factory=list, description="Names or NIPs")
    email: str | None = None
    phone: str | None = None
    language: Literal["id", "en"] = "id"
    timezone: str | None = None


class RosterPayload(_Closed):
    officers: list[RosterOfficer] = Field(max_length=MAX_OFFICERS)
    reason: str | None = _REASON


class CalendarEntryDoc(BaseModel):
    kind: EntryKind = "collective_leave"
    start: date
    end: date | None = None
    label: str = Field(default="", max_length=200)


class CalendarPayload(_Closed):
    entries: list[CalendarEntryDoc] = Field(max_length=MAX_CALENDAR_ENTRIES)
    reason: str | None = _REASON


class OfficerChange(_Closed):
    """Only availability and declared conflicts change here."""

    # Strict: "no" is not read as false for a flag that decides who gets cases.
    available: StrictBool | None = None
    conflicts: list[str] | None = None
    reason: str | None = _REASON


# --- answers -----------------------------------------------------------------------------------


class _KindView(BaseModel):
    region_code: str
    version: int = Field(ge=0, description="0: the shipped default")
    source: Source


class RulesView(_KindView):
    kind: Literal["rules"]
    rules_version: str
    text: str


class RoutingView(_KindView):
    kind: Literal["routing"]
    table: RoutingTableDoc | None


class RosterOfficerView(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    unit: str
    role: str
    available: bool
    conflicts: list[str]
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    timezone: str | None = None


class RosterView(_KindView):
    kind: Literal["roster"]
    officers: list[RosterOfficerView]
    province_desk: dict[str, Any] | None


class CalendarView(_KindView):
    kind: Literal["calendar"]
    entries: list[CalendarEntryDoc]


class RegionConfig(BaseModel):
    """Everything a regency's cases are triaged with, and the versions in force."""

    region_code: str
    versions: dict[str, int]
    rules: RulesView
    routing: RoutingView
    roster: RosterView
    calendar: CalendarView


class ConfigVersion(BaseModel):
    """One stored version (without its payload; the kind's GET shows the one in force)."""

    model_config = ConfigDict(extra="allow")

    kind: str
    version: int
    rules_version: str | None = None
    by: str
    reason: str
    created_at: AwareDatetime


class ConfigHistory(BaseModel):
    region_code: str
    kind: str
    versions: list[ConfigVersion] = Field(description="Newest first")


KIND_VIEWS: Final[list[type[BaseModel]]] = [RulesView, RoutingView, RosterView, CalendarView]
PAYLOADS: Final[list[type[BaseModel]]] = [
    RulesPayload,
    RoutingPayload,
    RosterPayload,
    CalendarPayload,
]
