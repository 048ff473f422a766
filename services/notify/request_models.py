"""What notify's API accepts: the models its views read requests with (``shared.request_input``),
so a wrong field is named in the same words as in every other service."""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from services.notify.channels.chat import valid_chat_url
from services.notify.policy import Preferences
from shared.paging import LimitQuery, limit_field

Channel = Literal["email", "sms", "chat"]
Priority = Literal["low", "normal", "high", "urgent"]
AlertEvent = Literal[
    "case.assigned",
    "case.escalated",
    "case.reassigned",
    "case.information_received",
    "case.deadline_moved",
]
CLOCK_PATTERN: Final = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"
MAX_PARKED: Final = 500


def _clock(value: str) -> str:
    if not re.fullmatch(CLOCK_PATTERN, value):
        raise PydanticCustomError("clock", "a local time as HH:MM, e.g. 21:30")
    return value


Clock = Annotated[
    str,
    AfterValidator(_clock),
    Field(json_schema_extra={"pattern": CLOCK_PATTERN}, description="Local time, HH:MM"),
]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChannelRuleUpdate(_Closed):
    """When the officer wants a channel; a part left out (or null) keeps the channel's default."""

    # Strict: "no" is not read as false for whether someone is woken at night.
    enabled: StrictBool | None = None
    events: list[AlertEvent] | None = None
    min_priority: Priority | None = None


class QuietHoursDoc(_Closed):
    """A daily span of local time (may cross midnight) when non-urgent alerts wait."""

    start: Clock
    end: Clock
    hold_up_to: Literal["low", "normal", "high"] = "normal"

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise PydanticCustomError("quiet_hours_empty", "start and end must differ")
        return self


class PreferencesUpdate(_Closed):
    """The officer's preferences; parts left out take their defaults."""

    channels: dict[Channel, ChannelRuleUpdate] | None = None
    quiet_hours: QuietHoursDoc | None = None
    chat_url: str | None = Field(
        default=None, description="An Apprise URL (Telegram, WhatsApp, webhook); null removes it"
    )

    @field_validator("chat_url")
    @classmethod
    def _sendable(cls, value: str | None) -> str | None:
        if value is not None and not valid_chat_url(value):
            raise PydanticCustomError("chat_url", "not an Apprise URL")
        return value

    def preferences(self) -> Preferences:
        """The preferences as notify keeps them (the chat URL is the profile's, not theirs)."""
        return Preferences.from_document(self.model_dump(exclude_none=True, exclude={"chat_url"}))


class SendTestBody(_Closed):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    officer_id: str = Field(min_length=1)
    # Checked by the send, after the officer: an officer of another region is 404 whatever
    # the channel, so the channel cannot be used to probe who exists.
    channel: str = Field(min_length=1, json_schema_extra={"enum": list(get_args(Channel))})


class ParkedQuery(LimitQuery):
    """Notify's parked list reads two sources (the queue and the digests) in one page."""

    limit: int = limit_field(100, MAX_PARKED)
