"""Who is told what, on which channel, and when: the pure decisions of the notify service.

No I/O here. Given an officer's preferences, the alert (event type, priority, escalation
step), the moment and the channels on which the officer can be reached, ``plan`` says per
channel: send now, hold for a digest (quiet hours) or skip (and why). The rate limit is
judged from the alert's place in its window (``admit``), which the caller obtains
atomically from the database so that two workers share one count; high and urgent alerts
never ask for a place (``Alert.rate_limited``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.ladder_steps import is_reminder

CHANNELS: tuple[str, ...] = ("email", "sms", "chat")
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
ALERT_EVENTS: tuple[str, ...] = (
    "case.assigned",
    "case.escalated",
    "case.reassigned",
    "case.information_received",
    "case.deadline_moved",
)
DEFAULT_ZONE = "Asia/Jakarta"
ZONES: tuple[str, ...] = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")

Action = Literal["send", "hold", "skip"]


def rank(priority: str) -> int:
    """Order of a priority (low 0 … urgent 3); unknown priorities count as normal."""
    return PRIORITIES.index(priority) if priority in PRIORITIES else 1


class PreferenceError(ValueError):
    """Preferences that cannot be applied; ``field`` names the offending part."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class ChannelRule:
    """When an officer wants a channel: for which events and from which priority up."""

    enabled: bool = True
    events: frozenset[str] = frozenset(ALERT_EVENTS)
    min_priority: str = "low"

    def wants(self, event_type: str, priority: str) -> bool:
        return (
            self.enabled and event_type in self.events and rank(priority) >= rank(self.min_priority)
        )


@dataclass(frozen=True)
class QuietHours:
    """A daily span of local time (may cross midnight) when non-urgent alerts wait.

    Alerts up to ``hold_up_to`` priority wait for the digest sent when the span ends; more
    important ones, and escalations, go through.
    """

    start: time
    end: time
    hold_up_to: str = "normal"

    def contains(self, local: datetime) -> bool:
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end  # crosses midnight

    def ends_after(self, local: datetime) -> datetime:
        """The first end of the span after ``local`` (an aware local time)."""
        candidate = datetime.combine(local.date(), self.end, tzinfo=local.tzinfo)
        if candidate <= local:
            candidate = datetime.combine(
                local.date() + timedelta(days=1), self.end, tzinfo=local.tzinfo
            )
        return candidate


def _default_channels() -> dict[str, ChannelRule]:
    # Mail for everything; SMS costs money and wakes people, so only from high priority up
    # (escalations of any priority are urgent and reach every channel, see ``plan``).
    return {
        "email": ChannelRule(),
        "sms": ChannelRule(min_priority="high"),
        "chat": ChannelRule(min_priority="normal"),
    }


@dataclass(frozen=True)
class Preferences:
    """An officer's notification preferences."""

    channels: Mapping[str, ChannelRule] = field(default_factory=_default_channels)
    quiet_hours: QuietHours | None = None

    def rule(self, channel: str) -> ChannelRule:
        return self.channels.get(channel) or _default_channels().get(channel) or ChannelRule()

    # --- documents (what the API accepts and the database keeps) -------------------------

    def to_document(self) -> dict[str, Any]:
        return {
            "channels": {
                name: {
                    "enabled": rule.enabled,
                    "events": sorted(rule.events),
                    "min_priority": rule.min_priority,
                }
                for name, rule in sorted(self.channels.items())
            },
            "quiet_hours": None
            if self.quiet_hours is None
            else {
                "start": self.quiet_hours.start.strftime("%H:%M"),
                "end": self.quiet_hours.end.strftime("%H:%M"),
                "hold_up_to": self.quiet_hours.hold_up_to,
            },
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any] | None) -> Preferences:
        """Preferences from a stored or submitted document; missing parts keep defaults.

        Raises PreferenceError naming the first part that is wrong.
        """
        if not doc:
            return cls()
        if not isinstance(doc, Mapping):
            raise PreferenceError("", "preferences must be an object")
        unknown = set(doc) - {"channels", "quiet_hours"}
        if unknown:
            raise PreferenceError(sorted(unknown)[0], "unknown field")
        channels = _default_channels()
        raw_channels = doc.get("channels") or {}
        if not isinstance(raw_channels, Mapping):
            raise PreferenceError("channels", "must be an object keyed by channel")
        for name, raw in raw_channels.items():
            if name not in CHANNELS:
                raise PreferenceError(f"channels.{name}", f"unknown channel; one of {CHANNELS}")
            channels[name] = _rule(f"channels.{name}", raw, channels[name])
        quiet = doc.get("quiet_hours")
        return cls(channels=channels, quiet_hours=_quiet("quiet_hours", quiet))


def _rule(path: str, raw: Any, default: ChannelRule) -> ChannelRule:
    if not isinstance(raw, Mapping):
        raise PreferenceError(path, "must be an object")
    unknown = set(raw) - {"enabled", "events", "min_priority"}
    if unknown:
        raise PreferenceError(f"{path}.{sorted(unknown)[0]}", "unknown field")
    enabled = raw.get("enabled", default.enabled)
    if not isinstance(enabled, bool):
        raise PreferenceError(f"{path}.enabled", "must be true or false")
    events = raw.get("events", sorted(default.events))
    if not isinstance(events, list) or not all(e in ALERT_EVENTS for e in events):
        raise PreferenceError(f"{path}.events", f"must be a list of {ALERT_EVENTS}")
    minimum = raw.get("min_priority", default.min_priority)
    if minimum not in PRIORITIES:
        raise PreferenceError(f"{path}.min_priority", f"one of {PRIORITIES}")
    return ChannelRule(enabled=enabled, events=frozenset(events), min_priority=minimum)


def _quiet(path: str, raw: Any) -> QuietHours | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise PreferenceError(path, "must be an object or null")
    unknown = set(raw) - {"start", "end", "hold_up_to"}
    if unknown:
        raise PreferenceError(f"{path}.{sorted(unknown)[0]}", "unknown field")
    start = _clock(f"{path}.start", raw.get("start"))
    end = _clock(f"{path}.end", raw.get("end"))
    if start == end:
        raise PreferenceError(path, "start and end must differ")
    hold = raw.get("hold_up_to", "normal")
    if hold not in ("low", "normal", "high"):
        raise PreferenceError(f"{path}.hold_up_to", "one of low, normal, high (urgent never waits)")
    return QuietHours(start=start, end=end, hold_up_to=hold)


def _clock(path: str, raw: Any) -> time:
    try:
        hours, minutes = str(raw).split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError) as exc:
        raise PreferenceError(path, "a local time as HH:MM, e.g. 21:30") from exc


def zone_of(name: str | None) -> ZoneInfo:
    """The recipient's zone; an unknown name falls back to WIB rather than failing a send."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


# --- the decisions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """What the policy needs to know about one alert."""

    event_type: str
    priority: str
    step: str = ""

    @property
    def urgent(self) -> bool:
        """Urgent alerts bypass quiet hours and the rate limit and fall back to another
        channel when theirs fails: urgent priority, and escalations other than reminders.

        A step whose key this release cannot read counts as an escalation: sent at once
        rather than held by a guess."""
        if self.priority == "urgent":
            return True
        return self.event_type == "case.escalated" and not is_reminder(self.step)

    @property
    def rate_limited(self) -> bool:
        """Whether the per-officer rate limit may hold this alert for a digest.

        A burst (one officer per regency, hundreds of cases from a monitoring system) must
        not put a high-priority case into a digest sent minutes later: only low and normal
        alerts wait; high, urgent and escalations go out at once on every channel.
        """
        return not self.urgent and rank(self.priority) < rank("high")


@dataclass(frozen=True)
class Route:
    """The decision for one channel."""

    channel: str
    action: Action
    reason: str = ""
    release_at: datetime | None = None  # UTC, for held alerts
    window: str = ""  # which digest a held alert joins


def plan(
    prefs: Preferences,
    alert: Alert,
    reachable: Sequence[str],
    now: datetime,
    zone: ZoneInfo,
) -> list[Route]:
    """Decide per channel (in ``CHANNELS`` order) what happens to ``alert`` at ``now``.

    ``reachable`` are the channels on which the officer has an address. Urgent alerts use
    every reachable channel the officer wants and, if they want none for it, the first
    reachable one: an escalation must reach somebody whatever the preferences say.
    """
    routes: list[Route] = []
    wanted = [c for c in CHANNELS if prefs.rule(c).wants(alert.event_type, alert.priority)]
    if alert.urgent:
        # An escalation is wanted wherever the officer accepts urgent alerts.
        wanted = [c for c in CHANNELS if prefs.rule(c).wants(alert.event_type, "urgent")]
    for channel in CHANNELS:
        if channel not in wanted:
            routes.append(Route(channel, "skip", "not wanted for this alert"))
        elif channel not in reachable:
            routes.append(Route(channel, "skip", "no address on this channel"))
        else:
            routes.append(Route(channel, "send"))
    if alert.urgent and not any(r.action == "send" for r in routes) and reachable:
        first = next(c for c in CHANNELS if c in reachable)
        routes = [
            Route(first, "send", "urgent: sent despite preferences") if r.channel == first else r
            for r in routes
        ]
    quiet = prefs.quiet_hours
    if quiet is None or alert.urgent or rank(alert.priority) > rank(quiet.hold_up_to):
        return routes
    local = now.astimezone(zone)
    if not quiet.contains(local):
        return routes
    release = quiet.ends_after(local).astimezone(UTC)
    window = f"quiet:{release:%Y%m%dT%H%MZ}"
    return [
        Route(r.channel, "hold", "quiet hours", release, window) if r.action == "send" else r
        for r in routes
    ]


@dataclass(frozen=True)
class RateWindow:
    """One fixed window of the per-recipient rate limit."""

    id: str
    start: datetime
    end: datetime


def rate_window(now: datetime, seconds: int) -> RateWindow:
    """The window ``now`` falls in (fixed windows aligned to the epoch, so every replica agrees)."""
    epoch = int(now.timestamp())
    start = epoch - epoch % seconds
    return RateWindow(
        id=f"rate:{start}",
        start=datetime.fromtimestamp(start, UTC),
        end=datetime.fromtimestamp(start + seconds, UTC),
    )


Admission = Literal["send", "send_last", "hold"]


def admit(position: int | None, limit: int) -> Admission:
    """What the rate limit does with the alert holding ``position`` (1-based) in its window.

    ``send_last`` is the last alert the window admits: it goes out and tells the officer
    that the ones after it wait for one digest, so the silence that follows is explained.
    """
    if not within_rate(position, limit):
        return "hold"
    return "send_last" if limit > 0 and position == limit else "send"


def within_rate(position: int | None, limit: int) -> bool:
    """Whether the alert holding ``position`` (1-based) in its window may go out now.

    ``None`` means the window was already full when the alert asked; a limit of 0 means no
    limit at all.
    """
    if limit <= 0:
        return True
    return position is not None and position <= limit


def fallback_channel(
    failed: str, used: Iterable[str], reachable: Sequence[str], order: Sequence[str] = CHANNELS
) -> str | None:
    """The officer's other channel for an urgent alert whose ``failed`` channel gave up.

    ``used`` are the channels the alert was already sent on (or tried); they are not a
    fallback. ``None`` when the officer has no other reachable channel.
    """
    taken = {failed, *used}
    return next((c for c in order if c in reachable and c not in taken), None)
