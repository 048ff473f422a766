"""What an officer's directory entry may hold: a new entry, a change, checked and normalised.

Pure: no database, no clock. The HTTP API and ``pantau officers`` validate through these
models, so both accept exactly the same data. Phone numbers become E.164, e-mail domains
lower case, and the time zone follows the region unless one is given.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from shared.formats import Email, Phone
from shared.regions import parse_region_code, timezone_for

# The unit names triage's routing tables use (services/triage/roster.yaml), and the province
# desk's unit (services/triage/decide.py): a directory entry must land in a unit routing knows.
Unit = Literal["DISKOMINFO", "BKPSDM", "INSPEKTORAT", "BAWASLU_LIAISON", "PROVINSI"]
UNITS: Final = get_args(Unit)
PROVINCE_UNIT: Final = "PROVINSI"
# Officers and supervisors work cases (triage routes to them); operators and auditors are
# people of the province's staff who sign in to the console and are never routed to.
OfficerRole = Literal["officer", "supervisor", "operator", "auditor"]
OFFICER_ROLES: Final = get_args(OfficerRole)
Language = Literal["id", "en"]
# Officers work in Indonesia: its three civil time zones are the only ones accepted.
Timezone = Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]

OFFICER_ID_PATTERN: Final = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_OFFICER_ID: Final = 64
MAX_NAME: Final = 200
MAX_CONFLICTS: Final = 50
MAX_CONFLICT_LENGTH: Final = 200

# The fields of an entry as the directory stores and publishes them (besides _id).
ENTRY_FIELDS: Final = (
    "region",
    "unit",
    "role",
    "name",
    "email",
    "phone",
    "language",
    "timezone",
    "conflicts",
    "active",
)


def _region(value: str) -> str:
    try:
        return parse_region_code(value).code
    except ValueError as exc:
        raise PydanticCustomError("region", "{reason}", {"reason": str(exc)}) from None


def _distinct(values: list[str]) -> list[str]:
    # The same person declared twice is one conflict; order is kept as the officer wrote it.
    return list(dict.fromkeys(values))


OfficerId = Annotated[
    str,
    StringConstraints(min_length=2, max_length=MAX_OFFICER_ID, pattern=OFFICER_ID_PATTERN),
]
Region = Annotated[str, StringConstraints(min_length=2, max_length=5), AfterValidator(_region)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)]
Conflict = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CONFLICT_LENGTH)
]
Conflicts = Annotated[list[Conflict], Field(max_length=MAX_CONFLICTS), AfterValidator(_distinct)]


def _unit_fits_region(unit: str | None, region: str | None) -> str | None:
    """The province desk's unit exists only at province level."""
    if unit == PROVINCE_UNIT and region is not None and "." in region:
        raise PydanticCustomError(
            "unit_region", "unit PROVINSI belongs to a province (region like 12), not a regency"
        )
    return unit


class OfficerCreate(BaseModel):
    """A new directory entry."""

    model_config = ConfigDict(extra="forbid")

    officer_id: OfficerId = Field(description="Slug, e.g. karo-bkpsdm-1")
    region: Region = Field(description="Regency (12.06) or province (12) code")
    unit: Unit
    role: OfficerRole = "officer"
    name: Name
    email: Email | None = None
    phone: Phone | None = Field(default=None, description="Indonesian mobile; stored as +628…")
    language: Language = "id"
    timezone: Timezone | None = Field(default=None, description="Default: the region's zone")
    conflicts: Conflicts = Field(
        default_factory=list, description="Names or NIPs of people this officer must not judge"
    )

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str, info: ValidationInfo) -> str:
        _unit_fits_region(value, info.data.get("region"))
        return value

    def entry(self) -> dict[str, Any]:
        """The stored fields of the new entry (without _id and version)."""
        return {
            "region": self.region,
            "unit": self.unit,
            "role": self.role,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "language": self.language,
            "timezone": self.timezone or timezone_for(self.region).key,
            "conflicts": list(self.conflicts),
            "active": True,
        }


# Fields a change may leave out but never set to null (email and phone may: null removes).
_REQUIRED = ("region", "unit", "role", "name", "language", "timezone", "conflicts", "active")


class OfficerPatch(BaseModel):
    """A change to an entry: only the fields given change; ``version`` is the one read."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The entry's version as you read it")
    region: Region | None = None
    unit: Unit | None = None
    role: OfficerRole | None = None
    name: Name | None = None
    email: Email | None = Field(default=None, description="null removes the address")
    phone: Phone | None = Field(default=None, description="null removes the number")
    language: Language | None = None
    timezone: Timezone | None = None
    conflicts: Conflicts | None = None
    active: bool | None = Field(default=None, description="true reactivates a deactivated entry")

    @field_validator(*_REQUIRED, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Only runs for fields the client sent: leaving a field out keeps it, null is refused.
        if value is None:
            raise PydanticCustomError("null", "this field cannot be removed, only changed")
        return value

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _unit_fits_region(value, info.data.get("region"))

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, as stored (without ``version``)."""
        return {name: getattr(self, name) for name in ENTRY_FIELDS if name in self.model_fields_set}


class OfficerListQuery(BaseModel):
    """Filters of ``GET /v1/officers``; all given ones must hold."""

    model_config = ConfigDict(extra="forbid")

    region: Region | None = None
    unit: Unit | None = None
    active: bool | None = Field(default=None, description="true: active only; false: inactive")


class ChangeRefused(ValueError):
    """A change that is valid on its own but not for this entry; ``field`` names where."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


def apply_changes(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The entry's fields after ``changes`` (from :meth:`OfficerPatch.changes`).

    A region change without a time zone moves the zone along when it was the old region's
    own (derived), and keeps it when it had been chosen.
    """
    entry = {name: current.get(name) for name in ENTRY_FIELDS}
    entry.update(changes)
    if "region" in changes and "timezone" not in changes:
        old_default = timezone_for(current["region"]).key
        if current.get("timezone") in (None, old_default):
            entry["timezone"] = timezone_for(str(entry["region"])).key
    if entry["unit"] == PROVINCE_UNIT and "." in str(entry["region"]):
        field = "unit" if "unit" in changes else "region"
        raise ChangeRefused(
            field, "unit_region", "unit PROVINSI belongs to a province, not a regency"
        )
    entry["conflicts"] = list(entry.get("conflicts") or [])
    return entry
