"""Turning an assignment, escalation or moved deadline into alerts, each sent at most once.

For each officer an event names: refresh their contact data, let the policy decide per
channel (send, hold for a digest, skip), apply the shared rate limit to low and normal
alerts (high and urgent ones are never held by it), then send through the
ledger (``ledger.py``), which makes every alert go out once per (case, event, recipient,
channel). Failures are sorted: a passing one (server down, rate-limited) is raised so the
broker retries the event with growing delay, and other channels' sent alerts are recognised
on the retry; a permanent one (bad address) is recorded and not retried. When an urgent
alert's channel gives up (permanently, or on the last attempt before parking) it goes out on
the officer's other channel.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from pymongo.collection import Collection

from services.notify import throttle
from services.notify.channels.base import (
    Channel,
    Outgoing,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from services.notify.ledger import (
    DeliveryInProgress,
    attempt_entry,
    claim,
    insert_final,
    notification_key,
    record_update,
)
from services.notify.metrics import DELIVERY_SECONDS, FALLBACKS, HELD, NOTIFICATIONS
from services.notify.policy import (
    Alert,
    Route,
    admit,
    fallback_channel,
    plan,
    rate_window,
    zone_of,
)
from services.notify.recipients import Profile, remember
from services.notify.rendering import (
    DigestItem,
    DigestNotice,
    Rendered,
    Renderer,
    RenderError,
    case_code,
    default_renderer,
    resend_of,
)
from shared import correlation
from shared.broker.consumer import PermanentError
from shared.contracts import (
    CaseAssigned,
    CaseDeadlineMoved,
    CaseEscalated,
    CaseInformationReceived,
    CaseReassigned,
    Envelope,
    Event,
    NotificationFailed,
    NotificationSent,
    Recipient,
    new_envelope,
)
from shared.followed import FollowedDocuments
from shared.sealed_contacts import ContactSeal

log = logging.getLogger(__name__)

__all__ = ["DeliveryInProgress", "NotifyDeps", "handle", "notification_key"]

Document = dict[str, Any]
Alertable = (
    CaseAssigned | CaseEscalated | CaseReassigned | CaseInformationReceived | CaseDeadlineMoved
)
Outcome = Literal["sent", "failed", "retry", "parked", "held", "duplicate", "busy"]


class LedgerWrites(Protocol):
    """How an alert's claim and the record of its attempt reach the ledger: at once
    (:class:`DirectWrites`), or, for a batch of alerts, each record with the next claim
    (``alert_batches.RecordBuffer``: every send of a batch follows a claim made there, which
    writes the records held before it, so no alert is sent while an earlier one's record
    waits)."""

    def claim(
        self, key: str, fields: Document, now: datetime, lease: timedelta
    ) -> tuple[bool, str]: ...

    def add(self, key: str, update: Document) -> None: ...


@dataclass(frozen=True)
class DirectWrites:
    """Each claim and each record written in its own command (an alert handled alone)."""

    deliveries: Collection[Document]

    def claim(
        self, key: str, fields: Document, now: datetime, lease: timedelta
    ) -> tuple[bool, str]:
        return claim(self.deliveries, key, fields, now, lease)

    def add(self, key: str, update: Document) -> None:
        self.deliveries.update_one({"_id": key}, update)


@dataclass
class NotifyDeps:
    """What the handler needs from the outside world."""

    deliveries: Collection[Document]
    recipients: Collection[Document]
    # The officers' profiles as this process follows them (``shared.followed``, on the
    # recipients collection): read from memory until one changes, from the database while
    # the change stream is not running.
    profiles: FollowedDocuments
    windows: Collection[Document]
    channels: Sequence[Channel]
    # The case's page in the console (e-mail, chat), and its short form for an SMS.
    case_url: Callable[[str], str]
    case_short_url: Callable[[str], str] | None = None
    # Where people reach the console: alerts about a reporter's answer link to its case page,
    # receipts to the reporter's tracking page.
    console_url: str = "http://127.0.0.1:8000"
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # How long a claim protects a send in progress: longer than any channel may take, short
    # enough that the alert of a worker killed mid-send goes out soon after.
    lease: timedelta = timedelta(seconds=30)
    renderer: Renderer = field(default_factory=default_renderer)
    rate_limit: int = 0
    rate_window_s: int = 600
    max_attempts: int = 5
    # The ledger's writes of a batch of alerts (``alert_batches``): each record waits for
    # the next claim and goes to the database in its command. None: each is written at once.
    batch: LedgerWrites | None = None
    # Opens the contact a citizen's receipt carries sealed (None: no PANTAU_RECEIPT_KEY).
    receipts: ContactSeal | None = None

    def channel(self, name: str) -> Channel | None:
        return next((c for c in self.channels if c.name == name), None)

    def ledger(self) -> LedgerWrites:
        """Where this alert's claim and records go: the batch's, or straight to the ledger."""
        return self.batch if self.batch is not None else DirectWrites(self.deliveries)


@dataclass
class Result:
    """What happened to one alert on one channel."""

    outcome: Outcome
    status: str = ""  # for a duplicate: the state the ledger already had
    error: Exception | None = None

    @property
    def reached(self) -> bool:
        return self.outcome == "sent" or (self.outcome == "duplicate" and self.status == "sent")

    @property
    def gave_up(self) -> bool:
        """The channel will not deliver this alert without an operator."""
        return self.outcome in ("failed", "parked") or (
            self.outcome == "duplicate" and self.status in ("failed", "parked")
        )


def _recipients_of(event: Alertable) -> list[Recipient]:
    if isinstance(event, CaseReassigned):
        return [event.assignee]
    if isinstance(event, CaseAssigned):
        return [event.assignee] if event.assignee is not None else []
    return [event.recipient] if event.recipient is not None else []


def handle(envelope: Envelope, event: Alertable, deps: NotifyDeps) -> None:
    """Send every alert ``event`` calls for, each at most once."""
    if not event.case_id.strip():
        NOTIFICATIONS.labels(channel="none", result="invalid").inc()
        raise PermanentError("the event names no case")
    recipients = _recipients_of(event)
    if not recipients:
        # An assignment to the province's queue, or an escalation nobody is named for:
        # there is nobody to tell, and intake's timeline already shows the event itself.
        NOTIFICATIONS.labels(channel="none", result="no_recipient").inc()
        log.info("event names no officer to alert", extra={"case_id": event.case_id})
        return
    results = [r for recipient in recipients for r in _alert(envelope, event, recipient, deps)]
    # A passing failure spends an attempt (retried with growing delay, parked at the end);
    # only when nothing failed does another worker's live claim merely defer the event.
    for wanted in ("retry", "parked", "busy"):
        for result in results:
            if result.outcome == wanted and result.error is not None:
                raise result.error


def _alert(
    envelope: Envelope, event: Alertable, recipient: Recipient, deps: NotifyDeps
) -> list[Result]:
    now = deps.clock()
    profile = remember(deps.recipients, recipient, envelope.tenant, now, deps.profiles)
    if not profile.active:
        _inactive(envelope, event, profile, deps, now)
        return []
    alert = Alert(event.TYPE, event.priority, getattr(event, "step", ""))
    reachable = [c.name for c in deps.channels if c.address_of(profile)]
    routes = plan(profile.preferences, alert, reachable, now, zone_of(profile.timezone))
    active = [r for r in routes if r.action != "skip"]
    if not active:
        _nobody(envelope, event, profile, routes, reachable, deps, now)
        return []
    message = _render(event, profile, deps)
    results: dict[str, Result] = {}
    for route in active:
        channel = deps.channel(route.channel)
        if channel is None:  # the policy only routes to reachable, i.e. configured, channels
            continue
        results[channel.name] = _route(
            envelope, event, profile, alert, route, channel, message, deps
        )
    if alert.urgent and not any(r.reached for r in results.values()):
        failed = next((name for name, r in results.items() if r.gave_up), None)
        if failed is not None:
            _fall_back(envelope, event, profile, failed, results, reachable, message, deps)
    return list(results.values())


def _render(
    event: Alertable, profile: Profile, deps: NotifyDeps, notice: DigestNotice | None = None
) -> Rendered:
    case_url = deps.case_url(event.case_id)
    short_url = deps.case_short_url(event.case_id) if deps.case_short_url else None
    try:
        return deps.renderer.render(
            event, profile, case_url=case_url, short_url=short_url, notice=notice
        )
    except RenderError as exc:
        NOTIFICATIONS.labels(channel="none", result="template_error").inc()
        log.error("alert cannot be rendered", extra={"error": str(exc)})
        raise PermanentError(str(exc)) from exc


def _route(
    envelope: Envelope,
    event: Alertable,
    profile: Profile,
    alert: Alert,
    route: Route,
    channel: Channel,
    message: Rendered,
    deps: NotifyDeps,
) -> Result:
    key = notification_key(event.case_id, str(envelope.id), profile.officer_id, channel.name)
    if route.action == "hold" and route.release_at is not None:
        held = _hold(envelope, event, profile, channel.name, key, message, deps, route)
        if held is not None:
            return held
    elif alert.rate_limited and deps.rate_limit > 0:
        window = rate_window(deps.clock(), deps.rate_window_s)
        position = throttle.reserve(
            deps.windows, profile.officer_id, channel.name, window, key, deps.rate_limit
        )
        admission = admit(position, deps.rate_limit)
        if admission == "hold":
            over = Route(channel.name, "hold", "rate limit", window.end, window.id)
            held = _hold(envelope, event, profile, channel.name, key, message, deps, over)
            if held is not None:
                return held
        elif admission == "send_last":
            # The window's last alert says that the next ones wait for one digest, and
            # until when; a retry keeps its place, so it says the same again.
            notice = DigestNotice(window_s=deps.rate_window_s, until=window.end)
            message = _render(event, profile, deps, notice)
    return deliver(envelope, event, profile, channel, message, deps)


def _fields(envelope: Envelope, event: Alertable, profile: Profile, channel: str) -> Document:
    # What the alert was beyond its event type, for whoever reads the case's history: an
    # escalation's ladder step, and which resend an assignment sent again is.
    what: Document = {}
    if step := str(getattr(event, "step", "")):
        what["step"] = step
    if resend := resend_of(event):
        what["resend"] = resend
    return {
        **what,
        "kind": "alert",
        "case_id": event.case_id,
        "tenant": envelope.tenant,
        "correlation_id": envelope.correlation_id,
        "source_event_id": str(envelope.id),
        "event_type": envelope.type,
        "priority": event.priority,
        "recipient_id": profile.officer_id,
        "recipient_name": profile.name,
        "channel": channel,
    }


def _hold(
    envelope: Envelope,
    event: Alertable,
    profile: Profile,
    channel: str,
    key: str,
    message: Rendered,
    deps: NotifyDeps,
    route: Route,
) -> Result | None:
    """Keep the alert for its digest; None when the ledger already knows this alert (a
    retried event), which then takes the ordinary path and finds its state there."""
    now = deps.clock()
    item = DigestItem(
        case_id=event.case_id,
        case_code=case_code(event),
        title=event.title,
        category=event.category,
        priority=event.priority,
        due_at=event.due_at,
        case_url=deps.case_url(event.case_id),
        event_type=event.TYPE,
        step=str(getattr(event, "step", "")),
        resend=resend_of(event),
    )
    reason = route.reason
    fields = {
        **_fields(envelope, event, profile, channel),
        "subject": message.subject,
        "reason": reason,
        "window": route.window,
        "release_at": route.release_at,
        "item": asdict(item),
    }
    entry = attempt_entry(now, channel, "held", answer=f"held for the digest: {reason}")
    if not insert_final(deps.deliveries, key, fields, "held", entry, now):
        return None
    HELD.labels(channel=channel, reason=reason.replace(" ", "_")).inc()
    NOTIFICATIONS.labels(channel=channel, result="held").inc()
    return Result("held")


def deliver(
    envelope: Envelope,
    event: Alertable,
    profile: Profile,
    channel: Channel,
    message: Rendered,
    deps: NotifyDeps,
    *,
    fallback_for: str | None = None,
) -> Result:
    """Send one alert unless the ledger says it was already handled."""
    case_id = event.case_id
    key = notification_key(case_id, str(envelope.id), profile.officer_id, channel.name)
    now = deps.clock()
    fields = {**_fields(envelope, event, profile, channel.name), "subject": message.subject}
    if fallback_for:
        fields["fallback_for"] = fallback_for
    try:
        claimed, status = deps.ledger().claim(key, fields, now, deps.lease)
    except DeliveryInProgress as exc:
        return Result("busy", "sending", error=exc)
    if not claimed:
        NOTIFICATIONS.labels(channel=channel.name, result="duplicate").inc()
        return Result("duplicate", status)
    attempt = correlation.current_attempt()
    started = time.perf_counter()
    try:
        answer = channel.send(
            Outgoing(
                key=key,
                recipient=profile,
                message=message,
                correlation_id=envelope.correlation_id,
            )
        )
    except PermanentDeliveryError as exc:
        _observe(channel.name, started)
        failed = _failed(envelope, event, profile, channel.name, key, str(exc), now)
        entry = attempt_entry(now, channel.name, "failed", error=str(exc), attempt=attempt)
        _record(deps, key, "failed", entry, now, [failed], {"reason": str(exc)[:300]})
        NOTIFICATIONS.labels(channel=channel.name, result="failed").inc()
        log.warning("alert refused for good", extra={"channel": channel.name, "error": str(exc)})
        return Result("failed")
    except Exception as exc:
        # TransientDeliveryError, or a fault in a channel's own code: either way the alert is
        # retried through the broker and parked after the last attempt, never lost.
        _observe(channel.name, started)
        error = (
            exc if isinstance(exc, TransientDeliveryError) else TransientDeliveryError(repr(exc))
        )
        if attempt >= deps.max_attempts:
            failed = _failed(envelope, event, profile, channel.name, key, str(error), now)
            entry = attempt_entry(now, channel.name, "parked", error=str(error), attempt=attempt)
            _record(deps, key, "parked", entry, now, [failed], {"reason": str(error)[:300]})
            NOTIFICATIONS.labels(channel=channel.name, result="parked").inc()
            return Result("parked", error=error)
        entry = attempt_entry(now, channel.name, "retry", error=str(error), attempt=attempt)
        _record(deps, key, "pending", entry, now)
        NOTIFICATIONS.labels(channel=channel.name, result="retry").inc()
        return Result("retry", error=error)
    _observe(channel.name, started)
    sent = NotificationSent(
        case_id=case_id,
        notification_key=key,
        source_event_id=str(envelope.id),
        recipient_id=profile.officer_id,
        channel=channel.name,
        sent_at=now,
    )
    entry = attempt_entry(now, channel.name, "sent", answer=answer, attempt=attempt)
    _record(deps, key, "sent", entry, now, [_follow(envelope, sent, now)])
    NOTIFICATIONS.labels(channel=channel.name, result="sent").inc()
    return Result("sent")


def _record(
    deps: NotifyDeps,
    key: str,
    status: str,
    entry: Document,
    now: datetime,
    follow_ups: Sequence[Envelope] = (),
    extra: Document | None = None,
) -> None:
    deps.ledger().add(key, record_update(status, entry, now, follow_ups, extra))


def _observe(channel: str, started: float) -> None:
    DELIVERY_SECONDS.labels(channel=channel).observe(time.perf_counter() - started)


def _failed(
    envelope: Envelope,
    event: Alertable,
    profile: Profile,
    channel: str,
    key: str,
    error: str,
    now: datetime,
) -> Envelope:
    failed = NotificationFailed(
        case_id=event.case_id,
        notification_key=key,
        source_event_id=str(envelope.id),
        recipient_id=profile.officer_id,
        channel=channel,
        error=error[:500],
        final=True,
    )
    return _follow(envelope, failed, now)


def _follow(cause: Envelope, event: Event, now: datetime) -> Envelope:
    return new_envelope(
        event, tenant=cause.tenant, correlation_id=cause.correlation_id, occurred_at=now
    )


def _fall_back(
    envelope: Envelope,
    event: Alertable,
    profile: Profile,
    failed: str,
    results: dict[str, Result],
    reachable: Sequence[str],
    message: Rendered,
    deps: NotifyDeps,
) -> None:
    """Send an urgent alert on the officer's other channel once its own channel gave up."""
    other = fallback_channel(failed, results, reachable)
    channel = deps.channel(other) if other else None
    if channel is None:
        log.error(
            "urgent alert reached nobody and no other channel is left",
            extra={"recipient": profile.officer_id, "channel": failed},
        )
        return
    result = deliver(envelope, event, profile, channel, message, deps, fallback_for=failed)
    results[channel.name] = result
    label = result.status if result.outcome == "duplicate" else result.outcome
    FALLBACKS.labels(from_channel=failed, to_channel=channel.name, result=label).inc()
    log.warning(
        "urgent alert sent on the officer's other channel",
        extra={"recipient": profile.officer_id, "from": failed, "to": channel.name},
    )


def _nobody(
    envelope: Envelope,
    event: Alertable,
    profile: Profile,
    routes: Sequence[Route],
    reachable: Sequence[str],
    deps: NotifyDeps,
    now: datetime,
) -> None:
    """Record an alert that goes nowhere: unreachable (a failure the timeline shows) or not
    wanted by the officer's preferences (recorded, no event)."""
    key = notification_key(event.case_id, str(envelope.id), profile.officer_id, "none")
    wanted_but_unreachable = any(r.reason == "no address on this channel" for r in routes)
    fields = {**_fields(envelope, event, profile, "none")}
    if reachable and not wanted_but_unreachable:
        reason = "no channel wanted for this alert by the officer's preferences"
        entry = attempt_entry(now, "none", "skipped", answer=reason)
        insert_final(deps.deliveries, key, {**fields, "reason": reason}, "skipped", entry, now)
        NOTIFICATIONS.labels(channel="none", result="skipped").inc()
        return
    reason = "officer has no address on any wanted channel"
    failed = _failed(envelope, event, profile, "none", key, reason, now)
    entry = attempt_entry(now, "none", "failed", error=reason)
    if insert_final(
        deps.deliveries, key, {**fields, "reason": reason}, "failed", entry, now, [failed]
    ):
        NOTIFICATIONS.labels(channel="none", result="unreachable").inc()
        log.warning("officer cannot be reached", extra={"recipient": profile.officer_id})


def _inactive(
    envelope: Envelope, event: Alertable, profile: Profile, deps: NotifyDeps, now: datetime
) -> None:
    """Record an alert not sent because the directory deactivated its officer."""
    key = notification_key(event.case_id, str(envelope.id), profile.officer_id, "none")
    reason = "officer deactivated in the directory"
    entry = attempt_entry(now, "none", "skipped", answer=reason)
    fields = {**_fields(envelope, event, profile, "none"), "reason": reason}
    if insert_final(deps.deliveries, key, fields, "skipped", entry, now):
        NOTIFICATIONS.labels(channel="none", result="skipped").inc()
        log.info("officer is deactivated; no alert", extra={"recipient": profile.officer_id})
