"""Wiring notify to its real adapters."""

from __future__ import annotations

from datetime import timedelta

from services.notify.channels.base import Channel
from services.notify.channels.chat import ChatChannel
from services.notify.channels.email import EmailChannel
from services.notify.channels.sms import SmsGatewayChannel
from services.notify.delivery import NotifyDeps
from services.notify.models import ALIAS, Delivery, RateWindow, Recipient
from shared import mongo, outbox
from shared.followed import FollowedDocuments
from shared.sealed_contacts import seal_from
from shared.settings import Settings

SERVICE = "notify"


def bootstrap(settings: Settings) -> None:
    """Register notify's database (lazily)."""
    mongo.connect(settings, ALIAS)


def ensure_indexes() -> None:
    Recipient.ensure_indexes()
    Delivery.ensure_indexes()
    RateWindow.ensure_indexes()
    outbox.ensure_indexes(Delivery._get_collection())


def channels(settings: Settings, *, keep_sessions: bool = True) -> list[Channel]:
    """The configured channels, in the order the policy and the fallback prefer them.

    SMS exists only with a gateway; chat always (an officer may set their own Apprise URL).
    ``keep_sessions``: reuse SMTP sessions between alerts (the worker, which closes idle ones).
    """
    found: list[Channel] = [EmailChannel(settings, keep_sessions=keep_sessions)]
    if settings.sms_gateway_url:
        found.append(SmsGatewayChannel(settings))
    found.append(ChatChannel(settings))
    return found


def deps(settings: Settings, *, keep_sessions: bool = True) -> NotifyDeps:
    # Links in alerts open the case's page in the console; SMS gets the console's short
    # address, which redirects there.
    console = settings.console_url.rstrip("/")
    slowest = max(
        settings.smtp_timeout_s, settings.sms_gateway_timeout_s, settings.notify_chat_timeout_s
    )
    return NotifyDeps(
        # A claim must outlive the slowest send (connect plus a few commands), or a second
        # worker would take it over while the first is still talking to the server.
        lease=timedelta(seconds=max(15.0, 3 * slowest)),
        deliveries=Delivery._get_collection(),
        recipients=Recipient._get_collection(),
        # Asked before each batch of alerts (the worker's ``catch_up``), not waiting.
        profiles=FollowedDocuments(Recipient._get_collection(), waits=False),
        windows=RateWindow._get_collection(),
        channels=channels(settings, keep_sessions=keep_sessions),
        case_url=lambda case_id: f"{console}/kasus/{case_id}",
        case_short_url=lambda case_id: f"{console}/k/{case_id}",
        console_url=console,
        rate_limit=settings.notify_rate_limit,
        rate_window_s=settings.notify_rate_window_s,
        max_attempts=settings.max_attempts,
        receipts=seal_from(settings.receipt_key.get_secret_value()),
    )
