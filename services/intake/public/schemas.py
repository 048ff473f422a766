"""What the public pages send: a citizen's report and a reporter's answer.

A citizen knows less than an office clerk: the report may name nobody (a hoax), or a person
without a name (only their office), and nobody need know whether that person is a PNS or a
PPPK. Everything else is checked as intake checks every case: the field types and limits
are ``cases/schemas.py``'s own. Dates are days (``2024-11-20``) in the regency's calendar.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from services.intake.cases.schemas import (
    EARLIEST,
    MAX_DESCRIPTION,
    MAX_EVIDENCE_URLS,
    MAX_TITLE,
    EvidenceUrl,
    Location,
    OptAgency,
    OptName,
    OptNip,
    OptPosition,
    RegionCode,
    Reporter,
)
from shared.formats import EmploymentType, FormatError, as_pydantic_error, check_nip_shape
from shared.regions import served_regencies, timezone_for

MAX_PEOPLE: Final = 5
MIN_DESCRIPTION: Final = 20
MAX_ANSWER: Final = 4000

_CONFIG = ConfigDict(
    extra="forbid", str_strip_whitespace=True, frozen=True, hide_input_in_errors=True
)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(value: object) -> object:
    # Only a calendar day: pydantic would otherwise read a number as a Unix timestamp.
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        return value.strip()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise PydanticCustomError("date_format", "give a day such as 2024-11-20")


Day = Annotated[date, BeforeValidator(_day)]
OptTitle = Annotated[
    Annotated[str, StringConstraints(min_length=1, max_length=MAX_TITLE)] | None,
    BeforeValidator(lambda v: None if isinstance(v, str) and not v.strip() else v),
]


class PublicPerson(BaseModel):
    """Someone the citizen reports; every field may be unknown, but not all of them."""

    model_config = _CONFIG

    name: OptName = None
    # None: the citizen does not know (declared before nip: the NIP check reads it).
    employment_type: EmploymentType | None = None
    nip: OptNip = None
    agency: OptAgency = None
    position: OptPosition = None

    @field_validator("nip")
    @classmethod
    def _check_nip(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        employment: EmploymentType | None = info.data.get("employment_type")
        try:
            # Without a known status only the shape can be checked.
            return check_nip_shape(value, employment, _now(info).date())
        except FormatError as exc:
            raise as_pydantic_error(exc) from None

    @model_validator(mode="after")
    def _someone(self) -> Self:
        if not any((self.name, self.nip, self.agency, self.position)):
            raise PydanticCustomError(
                "person_empty", "give at least a name, a NIP, an agency or a position"
            )
        return self


class PublicReport(BaseModel):
    """A citizen's report as the public pages send it."""

    model_config = _CONFIG

    region_code: RegionCode = Field(description="A regency or city the deployment serves")
    title: OptTitle = Field(default=None, description="Taken from the description if absent")
    description: Annotated[
        str, StringConstraints(min_length=MIN_DESCRIPTION, max_length=MAX_DESCRIPTION)
    ]
    occurred_on: Day = Field(description="The day it happened, in the regency's calendar")
    known_on: Day = Field(description="The day the citizen learned of it")
    location: Location
    people: list[PublicPerson] = Field(default_factory=list, max_length=MAX_PEOPLE)
    evidence_urls: list[EvidenceUrl] = Field(default_factory=list, max_length=MAX_EVIDENCE_URLS)
    reporter: Reporter = Field(description="Anonymous, or confidential with a name and contact")
    language: Literal["id", "en"] = Field(
        default="id", description="The language the receipt is written in"
    )

    @field_validator("region_code")
    @classmethod
    def _served(cls, value: str) -> str:
        if value not in served_regencies():
            raise PydanticCustomError(
                "region_not_served", "this deployment takes reports for its own regencies only"
            )
        return value

    @field_validator("occurred_on", "known_on")
    @classmethod
    def _in_range(cls, day: date, info: ValidationInfo) -> date:
        region = info.data.get("region_code")
        zone = timezone_for(region) if region else UTC
        if day < EARLIEST.date():
            raise PydanticCustomError("date_too_old", "this day is before 2000")
        if day > _now(info).astimezone(zone).date():
            raise PydanticCustomError("date_in_future", "this day lies in the future")
        occurred = info.data.get("occurred_on")
        if info.field_name == "known_on" and isinstance(occurred, date) and day < occurred:
            raise PydanticCustomError(
                "known_before_occurred",
                "the day it became known cannot be before the day it happened",
            )
        return day

    def moment(self, day: date) -> datetime:
        """The start of ``day`` in the regency's zone, as intake stores moments (UTC)."""
        return datetime.combine(day, time(), tzinfo=timezone_for(self.region_code)).astimezone(UTC)


class PublicAnswer(BaseModel):
    """The reporter's answer to an officer's question."""

    model_config = _CONFIG

    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ANSWER)]


def _now(info: ValidationInfo) -> datetime:
    ctx = info.context
    now = ctx.get("now") if isinstance(ctx, Mapping) else None
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise RuntimeError("validate public reports with context={'now': <aware datetime>}")
    return now


def validation_context(now: datetime) -> dict[str, Any]:
    """What the models above need to know: the moment the request arrived."""
    return {"now": now}
