"""Telegram, WhatsApp, webhooks and the rest through Apprise, one maintained library.

An officer's chat address is an Apprise URL (``tgram://bot-token/chat-id``,
``whatsapp://token@phone-id/to``, ``json://host/path`` ...), set with their preferences, or
the deployment-wide ``PANTAU_NOTIFY_CHAT_URL`` with ``{officer_id}`` filled in. Apprise
reports success or failure per service; a failure's HTTP status, when Apprise logged one,
tells a rejection (4xx) from a passing fault (429, 5xx, no answer).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import apprise

from services.notify.channels.base import Outgoing, PermanentDeliveryError, TransientDeliveryError
from services.notify.recipients import Profile
from shared.settings import Settings

_STATUS = re.compile(r"error=(\d{3})")


def valid_chat_url(url: str) -> bool:
    """Whether Apprise knows how to send to ``url``."""
    return apprise.Apprise.instantiate(url) is not None


def masked_chat_url(url: str | None) -> str | None:
    """``url`` with its secrets (tokens, passwords) masked, for showing in the API."""
    if not url:
        return None
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return "(invalid)"
    shown: str = plugin.url(privacy=True)  # type: ignore[no-untyped-call]
    return shown


class ChatChannel:
    """Delivers through Apprise to the recipient's chat URL."""

    name = "chat"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def address_of(self, recipient: Profile) -> str | None:
        if recipient.chat_url:
            return recipient.chat_url
        template = self.settings.notify_chat_url
        if not template:
            return None
        return template.replace("{officer_id}", quote(recipient.officer_id, safe=""))

    def send(self, outgoing: Outgoing) -> str:
        url = self.address_of(outgoing.recipient)
        notifier = apprise.Apprise()
        if not url or not notifier.add(url):
            raise PermanentDeliveryError("chat address is not a URL Apprise can send to")
        result = notifier.notify(
            body=outgoing.message.text,
            title=outgoing.message.subject,
            timeout=self.settings.notify_chat_timeout_s,
        )
        services = list(result)
        names = ", ".join(sorted({s.name for s in services})) or "chat"
        if result:
            return f"{names}: accepted"
        messages = [entry.message for entry in result.logs()]
        detail = f"{names}: {result.status.name.lower()}; " + " | ".join(messages)[-300:]
        if result.status == apprise.AppriseResultStatus.TIMEOUT:
            raise TransientDeliveryError(detail)
        codes = [int(code) for message in messages for code in _STATUS.findall(message)]
        if codes and all(400 <= c < 500 and c not in (408, 425, 429) for c in codes):
            raise PermanentDeliveryError(detail)
        raise TransientDeliveryError(detail)
