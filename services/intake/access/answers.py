"""The shapes of intake's answers about keys, callers and the access log (OpenAPI)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Whoami(BaseModel):
    key_prefix: str
    name: str
    region: str
    role: str
    officer_id: str | None = Field(
        default=None, description="The officer the key belongs to (absent: an office's key)"
    )
    kind: Literal["key", "session"] = Field(
        default="key", description="An API key, or a person's console session"
    )


class RevealResult(BaseModel):
    case_id: str
    pseudonym: str | None
    reporter: dict[str, str | None]


class AccessLogList(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = Field(description="Send as cursor for the next page; null: last.")


class KeyInfo(BaseModel):
    prefix: str
    name: str
    region: str
    role: str
    officer_id: str | None = None
    created_at: str
    revoked_at: str | None


class KeyCreated(KeyInfo):
    key: str
    note: str


class KeyList(BaseModel):
    items: list[KeyInfo]
