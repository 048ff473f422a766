"""The officer directory's answer models.

``directory.api`` builds its answers through these models, and its views name them in their
OpenAPI descriptions, so the document describes what the code sends.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.intake.directory.schema import Language, OfficerRole, Unit


class OfficerView(BaseModel):
    """An officer's directory entry."""

    officer_id: str
    region: str
    unit: Unit
    role: OfficerRole
    name: str
    email: str | None
    phone: str | None = Field(description="E.164, e.g. +6281260000001")
    language: Language
    timezone: str
    conflicts: list[str] = Field(description="Names or NIPs of people they must not judge")
    active: bool
    version: int = Field(ge=1, description="Send it back with a change (PATCH)")


class OfficerList(BaseModel):
    items: list[OfficerView]
