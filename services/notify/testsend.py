"""An operator's test message to one officer on one channel, with the provider's answer.

Shared by ``POST /v1/test-send`` and ``pantau notify test-send``. The attempt is recorded in
the ledger (kind ``test``) so the delivery history shows who tested what and when.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Literal

from services.notify.channels.base import Outgoing, PermanentDeliveryError, TransientDeliveryError
from services.notify.channels.chat import masked_chat_url
from services.notify.delivery import NotifyDeps
from services.notify.ledger import attempt_entry, insert_final
from services.notify.metrics import NOTIFICATIONS
from services.notify.recipients import Profile, load
from shared.formats import FormatError, mask_email, mask_phone, normalise_phone

SendTestResult = Literal["sent", "failed", "retry"]


class SendTestRefused(Exception):
    """The test cannot be attempted; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class SendTestOutcome:
    """What the provider said."""

    officer_id: str
    channel: str
    address: str
    result: SendTestResult
    answer: str
    key: str

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def masked_address(channel: str, address: str) -> str:
    if channel == "email":
        return mask_email(address)
    if channel == "sms":
        try:
            return mask_phone(normalise_phone(address))
        except FormatError:
            return "(not a mobile number)"
    return masked_chat_url(address) or ""


def send_test(deps: NotifyDeps, officer_id: str, channel_name: str, actor: str) -> SendTestOutcome:
    """Send a test message now and report the answer; SendTestRefused when it cannot be tried."""
    profile = load(deps.recipients, officer_id)
    if profile is None:
        raise SendTestRefused(
            404,
            f"Notify has no officer {officer_id!r} yet (officers appear with their first case).",
        )
    return send_to(deps, profile, channel_name, actor)


def send_to(deps: NotifyDeps, profile: Profile, channel_name: str, actor: str) -> SendTestOutcome:
    channel = deps.channel(channel_name)
    if channel is None:
        configured = ", ".join(c.name for c in deps.channels)
        raise SendTestRefused(
            422, f"The {channel_name} channel is not configured here (configured: {configured})."
        )
    address = channel.address_of(profile)
    if not address:
        raise SendTestRefused(
            422, f"Officer {profile.officer_id} has no address on the {channel_name} channel."
        )
    now = deps.clock()
    key = hashlib.sha256(f"test|{profile.officer_id}|{channel_name}|{uuid.uuid4()}".encode())
    test_key = key.hexdigest()[:40]
    message = deps.renderer.render_test(profile, channel_name, now)
    result: SendTestResult
    try:
        answer = channel.send(Outgoing(key=test_key, recipient=profile, message=message))
        result = "sent"
    except PermanentDeliveryError as exc:
        answer, result = str(exc), "failed"
    except TransientDeliveryError as exc:
        answer, result = str(exc), "retry"
    if result == "sent":
        entry = attempt_entry(now, channel_name, result, answer=answer)
    else:
        entry = attempt_entry(now, channel_name, result, error=answer)
    insert_final(
        deps.deliveries,
        test_key,
        {
            "kind": "test",
            "case_id": None,
            "tenant": profile.tenant,
            "recipient_id": profile.officer_id,
            "recipient_name": profile.name,
            "channel": channel_name,
            "requested_by": actor,
            "subject": message.subject,
        },
        "sent" if result == "sent" else "failed",
        entry,
        now,
    )
    NOTIFICATIONS.labels(channel=channel_name, result=f"test_{result}").inc()
    return SendTestOutcome(
        officer_id=profile.officer_id,
        channel=channel_name,
        address=masked_address(channel_name, address),
        result=result,
        answer=answer,
        key=test_key,
    )
