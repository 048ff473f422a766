"""The shapes of notify's answers, for its OpenAPI document.

``api`` shows deliveries, profiles and parked notifications as plain dicts; the models here
describe them, and the integration and fuzz tests check every real answer against their
schemas. What the API accepts is in ``request_models``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.notify.request_models import AlertEvent, Channel, Priority, QuietHoursDoc
from services.notify.testsend import SendTestResult


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- delivery history ----------------------------------------------------------------------


class Attempt(BaseModel):
    at: AwareDatetime | None
    channel: str | None
    result: str | None
    attempt: int | None
    answer: str | None
    error: str | None


class DeliveryRecipient(BaseModel):
    officer_id: str | None
    name: str | None


class DigestRef(BaseModel):
    key: str
    status: str | None
    sent_at: AwareDatetime | None


class Delivery(_Open):
    """One notification: who was told what, on which channel, with what result."""

    key: str = Field(description="(case, event, recipient, channel): one alert per key")
    kind: str = Field(description="alert, digest, test …")
    event_type: str | None
    source_event_id: str | None
    recipient: DeliveryRecipient
    channel: str | None
    status: str | None
    reason: str | None
    subject: str | None
    created_at: AwareDatetime | None
    sent_at: AwareDatetime | None
    attempts: list[Attempt]
    step: str | None = Field(default=None, description="An escalation's ladder step")
    resend: int | None = Field(
        default=None, description="Which resend of an unconfirmed assignment this alert is"
    )
    fallback_for: str | None = Field(default=None, description="The channel that failed")
    release_at: AwareDatetime | None = Field(default=None, description="When a held alert goes")
    digest: DigestRef | None = None
    alerts_in_digest: int | None = None


class DeliveryHistory(BaseModel):
    case_id: str
    deliveries: list[Delivery] = Field(description="Oldest first")


# --- preferences ---------------------------------------------------------------------------


class ChannelRuleDoc(BaseModel):
    enabled: bool
    events: list[AlertEvent]
    min_priority: Priority


class PreferencesDoc(BaseModel):
    channels: dict[Channel, ChannelRuleDoc]
    quiet_hours: QuietHoursDoc | None


class RecipientProfile(BaseModel):
    """An officer as notify knows them: language, zone, masked addresses and preferences."""

    officer_id: str
    name: str | None
    language: str | None
    timezone: str | None
    addresses: dict[str, str | None] = Field(description="Per channel, masked")
    chat_url: str | None = Field(description="Masked")
    preferences: PreferencesDoc


# --- parked notifications ------------------------------------------------------------------


class ParkedMessageView(BaseModel):
    """A message the worker gave up on, waiting in the broker's parking queue."""

    kind: Literal["message"]
    id: str
    type: str | None
    tenant: str | None
    case_id: str | None
    recipient_id: Any = Field(description="As the (possibly malformed) message names it")
    reason: str
    parked_at: AwareDatetime | None
    attempts: int
    correlation_id: str | None


class ParkedDigestView(BaseModel):
    """A digest that could not be sent."""

    kind: Literal["digest"]
    id: str = Field(description="digest:<key>")
    status: str | None
    tenant: str | None
    recipient_id: str | None
    channel: str | None
    reason: str | None
    alerts: int
    attempts: list[Attempt]


class ParkedList(BaseModel):
    parked: list[ParkedMessageView | ParkedDigestView]
    queue_depth: int


class ReplayedDigest(BaseModel):
    kind: Literal["digest"]
    id: str


class Replayed(BaseModel):
    replayed: ParkedMessageView | ReplayedDigest


# --- test send -----------------------------------------------------------------------------


class SendTestAnswer(BaseModel):
    """What the provider answered."""

    officer_id: str
    channel: str
    address: str = Field(description="Masked")
    result: SendTestResult
    answer: str
    key: str = Field(description="The ledger entry of this test")
