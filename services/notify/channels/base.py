"""What every delivery channel promises, and the two ways a delivery can fail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.notify.recipients import Profile
from services.notify.rendering import Rendered


class TransientDeliveryError(Exception):
    """Worth retrying later: the server was down, slow, busy or rate-limiting."""


class PermanentDeliveryError(Exception):
    """Retrying cannot help: a bad address, a rejected number, a refused message."""


@dataclass(frozen=True)
class Outgoing:
    """One message to one recipient; ``key`` is the notification's deterministic key."""

    key: str
    recipient: Profile
    message: Rendered
    # The id that follows the case from its HTTP request; carried into the message so an
    # operator can find every log line behind one alert.
    correlation_id: str | None = None


class Channel(Protocol):
    """A way to reach an officer (e-mail, SMS, chat)."""

    name: str

    def address_of(self, recipient: Profile) -> str | None:
        """The recipient's address on this channel, or None when they have none."""
        ...

    def send(self, outgoing: Outgoing) -> str:
        """Deliver and return the provider's answer; raise one of the errors above."""
        ...
