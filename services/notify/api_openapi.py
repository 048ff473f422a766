"""The shapes of notify's requests and answers, for its OpenAPI document.

``api`` validates preferences with ``policy.Preferences.from_document`` and shows deliveries,
profiles and parked notifications as plain dicts; the models here describe both, and the
integration and fuzz tests check every real answer against their schemas.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.notify.testsend import SendTestResult

Channel = Literal["email", "sms", "chat"]
Priority = Literal["low", "normal", "high", "urgent"]
AlertEvent = Literal["case.assigned", "case.escalated", "case.reassigned"]
_CLOCK = Field(pattern=r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$", description="Local time, HH:MM")


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class QuietHoursDoc(_Closed):
    """A daily span of local time (may cross midnight) when non-urgent alerts wait."""

    start: str = _CLOCK
    end: str = _CLOCK
    hold_up_to: Literal["low", "normal", "high"] = "normal"


class PreferencesDoc(BaseModel):
    channels: dict[Channel, ChannelRuleDoc]
    quiet_hours: QuietHoursDoc | None


class ChannelRuleUpdate(_Closed):
    enabled: bool | None = None
    events: list[AlertEvent] | None = None
    min_priority: Priority | None = None


class PreferencesUpdate(_Closed):
    """The officer's preferences; parts left out take their defaults."""

    channels: dict[Channel, ChannelRuleUpdate] | None = None
    quiet_hours: QuietHoursDoc | None = None
    chat_url: str | None = Field(
        default=None, description="An Apprise URL (Telegram, WhatsApp, webhook); null removes it"
    )


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


class SendTestBody(_Closed):
    officer_id: str = Field(min_length=1)
    channel: Channel


class SendTestAnswer(BaseModel):
    """What the provider answered."""

    officer_id: str
    channel: str
    address: str = Field(description="Masked")
    result: SendTestResult
    answer: str
    key: str = Field(description="The ledger entry of this test")


MODELS: Final[list[type[BaseModel]]] = [
    DeliveryHistory,
    PreferencesUpdate,
    RecipientProfile,
    ParkedList,
    Replayed,
    SendTestBody,
    SendTestAnswer,
]
