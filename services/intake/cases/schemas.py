"""Validated request models of the intake API.

Submissions are validated with :func:`validate_submission`, which supplies the current time
and the regency's time zone through the pydantic validation context: dates without a time
zone are read in the regency's zone, every moment is stored as aware UTC, and NIP checks know
what "today" is. Models validated without that context fail loudly instead of guessing.

All size limits live in the module constants below (and in :data:`LIMITS`) so that the API
documentation can quote them; the JSON Schema from :func:`json_schema` carries them too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shared.formats import (
    EMAIL_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    Email,
    EmploymentType,
    FormatError,
    Phone,
    as_pydantic_error,
    check_nip_shape,
    compact_nip,
)

# ----------------------------------------------------------------------------- limits

MAX_TITLE: Final = 200
MAX_DESCRIPTION: Final = 10_000
MAX_SOURCE_REF: Final = 200
MAX_NAME: Final = 200
MAX_AGENCY: Final = 200
MAX_POSITION: Final = 200
MAX_LOCATION_TEXT: Final = 500
MAX_DISTRICT: Final = 100  # kecamatan
MAX_VILLAGE: Final = 100  # desa / kelurahan
MAX_STATEMENT: Final = 5_000
MAX_PHONE_INPUT: Final = PHONE_INPUT_MAX_LENGTH
MAX_NIP_INPUT: Final = 32  # as typed, spaces between groups included
MAX_EMAIL: Final = EMAIL_MAX_LENGTH
MAX_URL: Final = 2_000
MIN_ACCUSED: Final = 1
MAX_ACCUSED: Final = 20
MAX_EVIDENCE_URLS: Final = 20
MAX_WITNESSES: Final = 20
MAX_BATCH: Final = 100  # cases per request on the batch endpoint

LIMITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "title": MAX_TITLE,
        "description": MAX_DESCRIPTION,
        "source_ref": MAX_SOURCE_REF,
        "name": MAX_NAME,
        "agency": MAX_AGENCY,
        "position": MAX_POSITION,
        "location.text": MAX_LOCATION_TEXT,
        "location.district": MAX_DISTRICT,
        "location.village": MAX_VILLAGE,
        "witness.statement": MAX_STATEMENT,
        "phone": MAX_PHONE_INPUT,
        "nip": MAX_NIP_INPUT,
        "email": MAX_EMAIL,
        "evidence_url": MAX_URL,
        "accused": MAX_ACCUSED,
        "evidence_urls": MAX_EVIDENCE_URLS,
        "witnesses": MAX_WITNESSES,
        "batch": MAX_BATCH,
    }
)

# Clocks of clerks' PCs and office systems drift; a report stamped a few minutes ahead of the
# server is not a report about the future.
CLOCK_SKEW: Final = timedelta(minutes=5)
# Nothing a Pantau case is about happened before this; older dates are typing mistakes.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# Pilkada law (Perpu 1/2014 art. 134): a violation is reported within 7 days of being known.
LATE_FILING_DAYS: Final = 7

# Kemendagri code of a regency or city: province "12", regency "06".
REGION_CODE_PATTERN: Final = r"^[0-9]{2}\.[0-9]{2}$"
_REGION_CODE = re.compile(REGION_CODE_PATTERN)
# Only ISO 8601 is accepted: pydantic would otherwise read "20241120" as a Unix timestamp.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Source = Literal["monitoring", "public_report", "bawaslu_referral", "internal"]

# hide_input_in_errors: a ValidationError that reaches a log must not carry names or numbers.
_CONFIG = ConfigDict(
    extra="forbid", str_strip_whitespace=True, frozen=True, hide_input_in_errors=True
)


# ----------------------------------------------------------------- validation context


@dataclass(frozen=True, slots=True)
class _Clock:
    now: datetime
    tz: tzinfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()


def _clock(info: ValidationInfo) -> _Clock:
    ctx = info.context
    now = ctx.get("now") if isinstance(ctx, Mapping) else None
    tz = ctx.get("tz") if isinstance(ctx, Mapping) else None
    if not isinstance(now, datetime) or now.utcoffset() is None or not isinstance(tz, tzinfo):
        # A programming error, not bad input: it must not turn into a 422 for the clerk.
        raise RuntimeError(
            "validate submissions with validate_submission() or pass "
            "context={'now': <aware datetime>, 'tz': <ZoneInfo>}"
        )
    return _Clock(now=now, tz=tz)


# ---------------------------------------------------------------------- field types


def _blank_to_none(value: object) -> object:
    """Treat an empty optional field as absent: web forms send "" for untouched inputs."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


_HTTP_URL: Final = TypeAdapter(HttpUrl)


def _http_url(value: str) -> str:
    # pydantic checks the URL, but the string is kept as given: it is evidence, and the
    # normalised form (punycode, added slash) would differ from what the reporter saw.
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise PydanticCustomError(first["type"], "{reason}", {"reason": first["msg"]}) from None
    return value


def _region_code(value: str) -> str:
    if not _REGION_CODE.fullmatch(value):
        raise PydanticCustomError(
            "region_code",
            "region code must look like 12.06 (Kemendagri code of the regency or city)",
        )
    return value


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=max_length)


Title = Annotated[str, _text(MAX_TITLE)]
Description = Annotated[str, _text(MAX_DESCRIPTION)]
Name = Annotated[str, _text(MAX_NAME)]
LocationText = Annotated[str, _text(MAX_LOCATION_TEXT)]
OptSourceRef = Annotated[
    Annotated[str, _text(MAX_SOURCE_REF)] | None, BeforeValidator(_blank_to_none)
]
OptName = Annotated[Name | None, BeforeValidator(_blank_to_none)]
OptAgency = Annotated[Annotated[str, _text(MAX_AGENCY)] | None, BeforeValidator(_blank_to_none)]
OptPosition = Annotated[Annotated[str, _text(MAX_POSITION)] | None, BeforeValidator(_blank_to_none)]
OptDistrict = Annotated[Annotated[str, _text(MAX_DISTRICT)] | None, BeforeValidator(_blank_to_none)]
OptVillage = Annotated[Annotated[str, _text(MAX_VILLAGE)] | None, BeforeValidator(_blank_to_none)]
OptStatement = Annotated[
    Annotated[str, _text(MAX_STATEMENT)] | None, BeforeValidator(_blank_to_none)
]
OptPhone = Annotated[Phone | None, BeforeValidator(_blank_to_none)]
OptEmail = Annotated[Email | None, BeforeValidator(_blank_to_none)]
OptNip = Annotated[
    Annotated[
        str,
        _text(MAX_NIP_INPUT),
        Field(
            description="18 digits; spaces between groups allowed",
            examples=["19860926 201505 1 001"],
        ),
    ]
    | None,
    BeforeValidator(_blank_to_none),
]
EvidenceUrl = Annotated[
    str, _text(MAX_URL), AfterValidator(_http_url), Field(json_schema_extra={"format": "uri"})
]
RegionCode = Annotated[
    str,
    AfterValidator(_region_code),
    Field(json_schema_extra={"pattern": REGION_CODE_PATTERN}, examples=["12.06"]),
]
_MOMENT_SCHEMA: Final[dict[str, Any]] = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
    "description": "ISO 8601 date or date-time; without an offset it is read in the "
    "regency's time zone",
    "examples": ["2024-11-20", "2024-11-20T14:30:00+08:00"],
}
Moment = Annotated[datetime, WithJsonSchema(_MOMENT_SCHEMA, mode="validation")]


# --------------------------------------------------------------------------- models


class Location(BaseModel):
    """Where the event happened: free text plus the kecamatan and desa/kelurahan if known."""

    model_config = _CONFIG

    text: LocationText
    district: OptDistrict = None
    village: OptVillage = None


class Accused(BaseModel):
    """The reported person (terlapor); the NIP is checked as far as the employment type allows."""

    model_config = _CONFIG

    name: Name
    # Declared before nip: the NIP check reads the already validated employment type.
    employment_type: EmploymentType
    nip: OptNip = None
    agency: OptAgency = None
    position: OptPosition = None

    @field_validator("nip")
    @classmethod
    def _check_nip(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        employment = info.data.get("employment_type")
        try:
            if employment is None:
                # The employment type is itself invalid; still report a malformed number.
                return compact_nip(value)
            return check_nip_shape(value, employment, _clock(info).today)
        except FormatError as exc:
            raise as_pydantic_error(exc) from None


class Reporter(BaseModel):
    """The person who reports (pelapor).

    Anonymous means no identity is stored at all, so an anonymous reporter carries no name,
    phone or e-mail. A reporter who is not anonymous gives a name and at least one contact.
    ``confidential`` asks that the identity be kept from everyone without vault access.
    """

    model_config = _CONFIG

    name: OptName = None
    phone: OptPhone = None
    email: OptEmail = None
    anonymous: bool = False
    confidential: bool = True

    @model_validator(mode="after")
    def _check_identity(self) -> Self:
        given = [f for f in ("name", "phone", "email") if getattr(self, f) is not None]
        if self.anonymous and given:
            raise PydanticCustomError(
                "anonymous_with_identity",
                "an anonymous report stores no identity: remove {fields} or untick anonymous",
                {"fields": ", ".join(given)},
            )
        if not self.anonymous and (
            self.name is None or (self.phone is None and self.email is None)
        ):
            raise PydanticCustomError(
                "reporter_incomplete",
                "a reporter who is not anonymous needs a name and a phone number or e-mail",
            )
        return self


class Witness(BaseModel):
    """A witness (saksi) and what they said, if recorded."""

    model_config = _CONFIG

    name: Name
    phone: OptPhone = None
    statement: OptStatement = None


class CaseSubmission(BaseModel):
    """A case as filed by an office system, an officer or a member of the public."""

    model_config = _CONFIG

    source: Source
    source_ref: OptSourceRef = None
    title: Title
    description: Description
    occurred_at: Moment
    known_at: Moment
    location: Location
    accused: list[Accused] = Field(min_length=MIN_ACCUSED, max_length=MAX_ACCUSED)
    reporter: Reporter | None = None
    evidence_urls: list[EvidenceUrl] = Field(default_factory=list, max_length=MAX_EVIDENCE_URLS)
    witnesses: list[Witness] = Field(default_factory=list, max_length=MAX_WITNESSES)
    region_code: RegionCode | None = None

    @field_validator("occurred_at", "known_at", mode="wrap")
    @classmethod
    def _moment(
        cls, value: object, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> datetime:
        clock = _clock(info)
        if isinstance(value, str):
            value = value.strip()
            if not _ISO_DATE.match(value):
                raise PydanticCustomError(
                    "datetime_format",
                    "give a date such as 2024-11-20 or a date and time such as "
                    "2024-11-20T14:30+08:00",
                )
        elif not isinstance(value, date):
            raise PydanticCustomError(
                "datetime_format",
                "give a date such as 2024-11-20 or a date and time such as 2024-11-20T14:30+08:00",
            )
        date_only = isinstance(value, str) and bool(_ISO_DATE.fullmatch(value))
        date_only = date_only or (isinstance(value, date) and not isinstance(value, datetime))

        parsed: datetime = handler(value)
        if parsed.utcoffset() is None:
            parsed = parsed.replace(tzinfo=clock.tz)
        # Dates at the very ends of the calendar cannot even be moved to UTC; no case is about
        # them, so both ends are refused as the clerk's mistake, not the server's.
        try:
            moment = parsed.astimezone(UTC)
        except OverflowError as exc:
            raise PydanticCustomError("date_out_of_range", "this date is not a real one") from exc
        if moment < EARLIEST:
            raise PydanticCustomError(
                "date_too_old", "this date is too far in the past for a case (before 2000)"
            )
        if moment > clock.now + CLOCK_SKEW:
            raise PydanticCustomError("date_in_future", "this date lies in the future")

        occurred = info.data.get("occurred_at")
        if info.field_name == "known_at" and isinstance(occurred, datetime):
            # A plain date covers the whole day: known "2024-11-20" is not before an event
            # at 14:30 that day. A moment with a time compares exactly; against a plain
            # occurred_at (midnight) that is the same as comparing days.
            if date_only:
                before = moment.astimezone(clock.tz).date() < occurred.astimezone(clock.tz).date()
            else:
                before = moment < occurred
            if before:
                raise PydanticCustomError(
                    "known_before_occurred",
                    "the date it became known cannot be before the date it happened",
                )
        return moment


def _batch_size(cases: list[Any]) -> list[Any]:
    if not 1 <= len(cases) <= MAX_BATCH:
        raise PydanticCustomError("batch_size", "1-{most} items", {"most": MAX_BATCH})
    return cases


class BatchRequest(BaseModel):
    """Cases collected offline, sent at once. Each case is validated and answered on its own,
    so one that needs correcting does not hold back the others."""

    model_config = ConfigDict(extra="forbid")

    cases: Annotated[
        list[Any],
        AfterValidator(_batch_size),
        WithJsonSchema(
            {"type": "array", "items": {"type": "object"}, "minItems": 1, "maxItems": MAX_BATCH}
        ),
    ]


# ------------------------------------------------------------------------ functions


def validate_submission(payload: object, *, now: datetime, tz: ZoneInfo) -> CaseSubmission:
    """Validate a submitted case.

    ``now`` is the server's current time (timezone-aware); ``tz`` is the regency's zone, used
    for dates and times given without an offset and for "today" in NIP checks. Raises
    :class:`pydantic.ValidationError`; ``shared.field_errors`` turns it into API errors.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return CaseSubmission.model_validate(payload, context={"now": now.astimezone(UTC), "tz": tz})


def is_late_filing(
    sub: CaseSubmission,
    submitted_at: datetime,
    window_days: int = LATE_FILING_DAYS,
    *,
    tz: tzinfo = UTC,
) -> bool:
    """Whether the case was filed more than ``window_days`` after it became known.

    Such a case is accepted but flagged. Days are counted as calendar days in ``tz``, as the
    statutory deadline is: known on 20 Nov, filed on 27 Nov is on time, on 28 Nov is late.
    Pass the regency's zone; the UTC default shifts the day boundary by its offset.
    """
    if submitted_at.utcoffset() is None:
        raise ValueError("submitted_at must be timezone-aware")
    known_day = sub.known_at.astimezone(tz).date()
    filed_day = submitted_at.astimezone(tz).date()
    return (filed_day - known_day).days > window_days


def json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`CaseSubmission` as accepted on input, for the OpenAPI document."""
    return CaseSubmission.model_json_schema(mode="validation")
