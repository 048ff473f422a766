"""The one contracts module: the event envelope and every event type of the suite.

Producers, consumers and tests import these models; no dict with ad-hoc keys crosses a
service boundary. Reporter identity never appears in an event (it stays in intake's vault),
with one exception the reporter asks for: the address a receipt of their tracking code goes
to (``ReceiptRequested``), which notify uses once and never stores.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

TENANT_PATTERN = r"^\d{2}(\.\d{2})?$"
# A case's id as intake gives it (a database object id in lower-case hex), in events, in
# URLs and in the words of an explanation; anchor it where a whole value must be one.
CASE_ID_PATTERN = r"[0-9a-f]{24}"

Priority = Literal["urgent", "high", "normal", "low"]
EmploymentType = Literal["PNS", "PPPK", "NON_ASN"]


class InvalidMessage(Exception):
    """A message that can never be processed: it goes to the parking queue, not back."""


class Envelope(BaseModel):
    """What travels on the wire around every event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    type: str = Field(min_length=1, max_length=100)
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    tenant: str = Field(pattern=TENANT_PATTERN)
    correlation_id: str = Field(min_length=1, max_length=100)
    data: dict[str, Any]


class Event(BaseModel):
    """Base of every event payload; ``TYPE`` is also the routing key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1


_REGISTRY: dict[tuple[str, int], type[Event]] = {}
_E = TypeVar("_E", bound=type[Event])


def _register(cls: _E) -> _E:
    key = (cls.TYPE, cls.VERSION)
    if key in _REGISTRY:
        raise RuntimeError(f"event {key} registered twice")
    _REGISTRY[key] = cls
    return cls


def event_types() -> list[str]:
    """Every registered routing key, for bindings and documentation."""
    return sorted({event_type for event_type, _ in _REGISTRY})


# --- shared pieces -------------------------------------------------------------------------


class AccusedRef(BaseModel):
    """The reported person as triage needs it (no contact data)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    nip: str | None = None
    employment_type: EmploymentType
    agency: str | None = None
    position: str | None = None


class Recipient(BaseModel):
    """An officer as notify needs them to deliver an alert."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    officer_id: str
    name: str
    email: str | None = None
    phone: str | None = None
    language: Literal["id", "en"] = "id"
    timezone: str = "Asia/Jakarta"


# --- intake --------------------------------------------------------------------------------


@_register
class CaseSubmitted(Event):
    TYPE: ClassVar[str] = "case.submitted"

    case_id: str
    tracking_code: str
    source: str
    source_ref: str | None = None
    title: str
    description: str
    occurred_at: AwareDatetime
    known_at: AwareDatetime
    submitted_at: AwareDatetime
    location: str = ""
    accused: list[AccusedRef] = Field(default_factory=list)
    evidence_urls: list[str] = Field(default_factory=list)
    late_filing: bool = False


@_register
class CaseUpdated(Event):
    TYPE: ClassVar[str] = "case.updated"

    case_id: str
    changed: list[str]
    title: str
    description: str
    evidence_urls: list[str] = Field(default_factory=list)
    accused: list[AccusedRef] = Field(default_factory=list)


@_register
class CaseStatusChanged(Event):
    TYPE: ClassVar[str] = "case.status_changed"

    case_id: str
    from_status: str
    to_status: str
    actor: str
    reason: str | None = None


@_register
class CaseCommentAdded(Event):
    TYPE: ClassVar[str] = "case.comment_added"

    case_id: str
    comment_id: str
    actor: str
    visibility: Literal["internal", "reporter"] = "internal"


@_register
class CaseReassigned(Event):
    """A supervisor gave the case to another officer (intake's directory names them)."""

    TYPE: ClassVar[str] = "case.reassigned"

    case_id: str
    tracking_code: str
    title: str
    category: str = "LAINNYA"
    priority: Priority = "normal"
    due_at: AwareDatetime | None = None
    unit: str
    assignee: Recipient
    previous_officer_id: str | None = None
    actor: str
    reason: str


@_register
class CaseTransferred(Event):
    """The case moved to another regency or up to the province; the envelope's tenant is
    the new one, ``from_tenant`` the old."""

    TYPE: ClassVar[str] = "case.transferred"

    case_id: str
    from_tenant: str = Field(pattern=TENANT_PATTERN)
    to_tenant: str = Field(pattern=TENANT_PATTERN)
    actor: str
    reason: str


@_register
class OfficerChanged(Event):
    """An officer's directory entry as it now is (created, changed or deactivated)."""

    TYPE: ClassVar[str] = "officer.changed"

    officer_id: str
    region: str = Field(pattern=TENANT_PATTERN)
    name: str
    unit: str
    role: str
    email: str | None = None
    phone: str | None = None
    language: Literal["id", "en"] = "id"
    timezone: str = "Asia/Jakarta"
    conflicts: list[str] = Field(default_factory=list)
    active: bool = True
    version: int = Field(ge=1)


@_register
class SignInLinkIssued(Event):
    """A one-time sign-in link for a person (an invitation or a password reset), to be mailed.

    The only event that carries a secret: the link is good for 30 minutes and one use, and
    notify sends it by e-mail only and stores no copy of it.
    """

    TYPE: ClassVar[str] = "account.link_issued"

    officer_id: str
    recipient: Recipient
    purpose: Literal["invitation", "reset"]
    url: str
    expires_at: AwareDatetime
    # Who sent an invitation (a supervisor's name), for the mail to say; None for a reset.
    invited_by: str | None = None


@_register
class CaseInformationReceived(Event):
    """The reporter answered an officer's question (through the public tracking page): the
    case is back where it paused and its officer is told. Nothing of the reporter is here."""

    TYPE: ClassVar[str] = "case.information_received"

    case_id: str
    tracking_code: str
    title: str
    category: str = "LAINNYA"
    priority: Priority = "normal"
    due_at: AwareDatetime | None = None
    files: int = Field(default=0, ge=0, description="Evidence files sent with the answer")
    # The officer the case is assigned to; ``recipient`` when intake's directory knows their
    # contact, else notify uses what it knows of ``officer_id`` from their assignment.
    officer_id: str | None = None
    recipient: Recipient | None = None


@_register
class ReceiptRequested(Event):
    """A citizen who filed a report asked for its tracking code at an address of theirs.

    The only event that reaches a reporter's contact, and only sealed for notify
    (``contact``, ``shared/sealed_contacts.py``): intake writes it with the case, notify
    opens it, sends the receipt by e-mail (and SMS when a gateway is configured) and records
    the delivery without the address.
    """

    TYPE: ClassVar[str] = "case.receipt_requested"

    case_id: str
    tracking_code: str
    contact: str | None = None
    # Readable contacts of events written before contacts were sealed, which may still be in
    # a queue while a deployment is upgraded: notify reads them, intake never writes them.
    email: str | None = None
    phone: str | None = None
    language: Literal["id", "en"] = "id"


# --- triage --------------------------------------------------------------------------------


@_register
class CaseTriaged(Event):
    TYPE: ClassVar[str] = "case.triaged"

    case_id: str
    decision_id: str
    category: str
    secondary: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0, le=1)
    needs_review: bool
    sanction_level: str
    priority: Priority
    due_at: AwareDatetime | None = None
    explanation: str
    rules_version: str
    duplicate_of: str | None = None
    # Reported after the 7-day window from being known (Pilkada law).
    late_filing: bool = False
    # Set when an officer overrode the proposal: who, and why (UU 27/2022: people may
    # object to automated decisions, so a human decision is attributed).
    decided_by: str | None = None
    override_reason: str | None = None


@_register
class CaseAssigned(Event):
    TYPE: ClassVar[str] = "case.assigned"

    case_id: str
    decision_id: str
    tracking_code: str
    title: str
    category: str
    priority: Priority
    due_at: AwareDatetime | None = None
    unit: str
    assignee: Recipient | None = None
    to_province: bool = False
    reason: str = ""


@_register
class CaseEscalated(Event):
    TYPE: ClassVar[str] = "case.escalated"

    case_id: str
    step: str
    title: str
    category: str
    priority: Priority
    due_at: AwareDatetime | None = None
    recipient: Recipient | None = None
    reason: str


@_register
class CaseDeadlineMoved(Event):
    """Triage moved an open case's statutory deadline (a new stage began, a pause gave its
    days back, a reopened case got a fresh clock): the assigned officer is told the new
    date. Published only when the deadline the officer reads actually changed."""

    TYPE: ClassVar[str] = "case.deadline_moved"

    case_id: str
    decision_id: str
    tracking_code: str = ""
    title: str
    category: str
    priority: Priority
    due_at: AwareDatetime
    previous_due_at: AwareDatetime | None = None
    stage: str = ""
    reason: str = ""
    recipient: Recipient | None = None


@_register
class CaseDuplicateDetected(Event):
    TYPE: ClassVar[str] = "case.duplicate_detected"

    case_id: str
    duplicate_of: str
    kind: Literal["duplicate", "related"]
    score: float
    reasons: list[str] = Field(default_factory=list)


# --- notify --------------------------------------------------------------------------------


@_register
class NotificationSent(Event):
    TYPE: ClassVar[str] = "notification.sent"

    case_id: str
    notification_key: str
    source_event_id: str
    recipient_id: str
    channel: str
    sent_at: AwareDatetime


@_register
class NotificationFailed(Event):
    TYPE: ClassVar[str] = "notification.failed"

    case_id: str
    notification_key: str
    source_event_id: str
    recipient_id: str
    channel: str
    error: str
    final: bool


# --- wire format ---------------------------------------------------------------------------


def new_envelope(
    event: Event,
    *,
    tenant: str,
    correlation_id: str,
    occurred_at: datetime | None = None,
) -> Envelope:
    """Wrap ``event`` for publishing; the envelope id doubles as the AMQP message id."""
    return Envelope(
        id=uuid.uuid4(),
        type=event.TYPE,
        version=event.VERSION,
        occurred_at=occurred_at or datetime.now(UTC),
        tenant=tenant,
        correlation_id=correlation_id,
        data=event.model_dump(mode="json"),
    )


def encode(envelope: Envelope) -> bytes:
    """The JSON body of an envelope."""
    return envelope.model_dump_json().encode()


def parse_event(envelope: Envelope) -> Event:
    """The typed payload of ``envelope``; unknown types and bad payloads are InvalidMessage."""
    model = _REGISTRY.get((envelope.type, envelope.version))
    if model is None:
        raise InvalidMessage(f"unknown event type {envelope.type!r} v{envelope.version}")
    try:
        return model.model_validate(envelope.data)
    except ValidationError as exc:
        raise InvalidMessage(f"invalid {envelope.type} payload: {_summary(exc)}") from exc


def decode(body: bytes) -> tuple[Envelope, Event]:
    """Envelope and typed event from a message body, or InvalidMessage saying why not."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidMessage(f"body is not JSON: {exc}") from exc
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as exc:
        raise InvalidMessage(f"invalid envelope: {_summary(exc)}") from exc
    return envelope, parse_event(envelope)


def _summary(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()]
    return "; ".join(parts[:5])
