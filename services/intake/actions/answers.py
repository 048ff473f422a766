"""The audit trail's answer model; the other officer actions answer with the case as stored
after the change (``cases.answers.CaseDetail``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditChange(BaseModel):
    model_config = ConfigDict(extra="allow")

    field: str
    before: Any = None
    after: Any = None


class AuditItem(BaseModel):
    case_id: str
    seq: int
    tenant: str
    at: str
    actor: dict[str, Any]
    action: str
    changes: list[AuditChange]
    request_id: str | None
    prev: str
    hash: str


class AuditTrail(BaseModel):
    case_id: str
    intact: bool
    problems: list[str]
    items: list[AuditItem]
