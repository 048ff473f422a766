"""The pure decisions: channels per preference, quiet hours, rate windows, fallback."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.notify.policy import (
    CHANNELS,
    Alert,
    ChannelRule,
    PreferenceError,
    Preferences,
    QuietHours,
    admit,
    fallback_channel,
    plan,
    rate_window,
    within_rate,
    zone_of,
)
from shared import ladder_steps

WITA = ZoneInfo("Asia/Makassar")
# Ladder steps as triage writes them (their keys are what the policy reads).
DUE = date(2024, 11, 22)
REMINDER = ladder_steps.reminder_key("lapor_verification", DUE, timedelta(hours=2))
SUPERVISOR = ladder_steps.breach_supervisor_key("lapor_verification", DUE)
PROVINCE = ladder_steps.breach_province_key("lapor_verification", DUE)
ALL = ["email", "sms", "chat"]


def _at(hour: int, minute: int = 0, zone: ZoneInfo = WITA) -> datetime:
    """A UTC instant that is ``hour:minute`` local time on 20 Nov 2024 in ``zone``."""
    return datetime(2024, 11, 20, hour, minute, tzinfo=zone).astimezone(UTC)


def _actions(routes: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {r.channel: r.action for r in routes}


NIGHT = Preferences(quiet_hours=QuietHours(start=time(21, 0), end=time(6, 0)))


def test_defaults_mail_everything_and_text_only_important_alerts() -> None:
    prefs = Preferences()
    low = plan(prefs, Alert("case.assigned", "low"), ALL, _at(10), WITA)
    high = plan(prefs, Alert("case.assigned", "high"), ALL, _at(10), WITA)
    assert _actions(low) == {"email": "send", "sms": "skip", "chat": "skip"}
    assert _actions(high) == {"email": "send", "sms": "send", "chat": "send"}


def test_channel_without_address_is_skipped_with_reason() -> None:
    routes = plan(Preferences(), Alert("case.assigned", "high"), ["email"], _at(10), WITA)
    assert _actions(routes) == {"email": "send", "sms": "skip", "chat": "skip"}
    assert {r.channel: r.reason for r in routes}["sms"] == "no address on this channel"


def test_officer_choice_of_channels_per_event_and_priority() -> None:
    prefs = Preferences.from_document(
        {
            "channels": {
                "email": {"events": ["case.escalated"]},
                "sms": {"min_priority": "normal", "events": ["case.assigned"]},
                "chat": {"enabled": False},
            }
        }
    )
    routes = plan(prefs, Alert("case.assigned", "normal"), ALL, _at(10), WITA)
    assert _actions(routes) == {"email": "skip", "sms": "send", "chat": "skip"}


def test_quiet_hours_hold_low_priority_until_they_end_in_the_officers_zone() -> None:
    routes = plan(NIGHT, Alert("case.assigned", "low"), ALL, _at(23, 30), WITA)
    held = [r for r in routes if r.action == "hold"]
    assert [r.channel for r in held] == ["email"]
    # 06:00 WITA the next morning is 22:00 UTC of the same day.
    assert held[0].release_at == datetime(2024, 11, 20, 22, 0, tzinfo=UTC)
    assert held[0].window == "quiet:20241120T2200Z"
    assert held[0].reason == "quiet hours"


def test_quiet_hours_after_midnight_end_the_same_morning() -> None:
    routes = plan(NIGHT, Alert("case.assigned", "normal"), ALL, _at(2, 15), WITA)
    held = next(r for r in routes if r.action == "hold")
    assert held.release_at == _at(6, 0)


def test_same_instant_is_quiet_in_one_zone_and_not_in_another() -> None:
    # 20:30 WIB is 22:30 WIT: still evening in Jakarta, already quiet hours in Papua.
    moment = _at(20, 30, ZoneInfo("Asia/Jakarta"))
    jakarta = plan(NIGHT, Alert("case.assigned", "low"), ALL, moment, ZoneInfo("Asia/Jakarta"))
    papua = plan(NIGHT, Alert("case.assigned", "low"), ALL, moment, ZoneInfo("Asia/Jayapura"))
    assert _actions(jakarta)["email"] == "send"
    assert _actions(papua)["email"] == "hold"


def test_outside_quiet_hours_nothing_waits() -> None:
    routes = plan(NIGHT, Alert("case.assigned", "low"), ALL, _at(6, 0), WITA)
    assert _actions(routes)["email"] == "send"


@pytest.mark.parametrize(
    "alert",
    [
        Alert("case.assigned", "urgent"),
        Alert("case.escalated", "normal", step=SUPERVISOR),
        Alert("case.escalated", "low", step=PROVINCE),
    ],
)
def test_urgent_alerts_and_escalations_go_through_quiet_hours_on_every_channel(
    alert: Alert,
) -> None:
    routes = plan(NIGHT, alert, ALL, _at(23, 30), WITA)
    assert alert.urgent
    assert _actions(routes) == {"email": "send", "sms": "send", "chat": "send"}


def test_reminder_is_not_urgent_and_waits() -> None:
    alert = Alert("case.escalated", "normal", step=REMINDER)
    assert not alert.urgent
    routes = plan(NIGHT, alert, ALL, _at(23, 30), WITA)
    assert _actions(routes)["email"] == "hold"


@pytest.mark.parametrize(
    ("step", "urgent"),
    [
        (REMINDER, False),
        (ladder_steps.reminder_key("pilkada_report", DUE, timedelta(minutes=90)), False),
        (SUPERVISOR, True),
        (PROVINCE, True),
        (ladder_steps.resend_key(1, 2), True),
        (ladder_steps.reassign_key(3), True),
        # A key this release cannot read is sent at once, even if it looks like a reminder.
        ("stage:reminder:2h", True),
        ("", True),
    ],
)
def test_escalations_are_urgent_unless_their_ladder_step_is_a_reminder(
    step: str, urgent: bool
) -> None:
    assert Alert("case.escalated", "normal", step=step).urgent is urgent


def test_high_priority_passes_quiet_hours_unless_the_officer_holds_it_too() -> None:
    alert = Alert("case.assigned", "high")
    assert _actions(plan(NIGHT, alert, ALL, _at(23, 30), WITA))["email"] == "send"
    strict = Preferences(quiet_hours=QuietHours(time(21, 0), time(6, 0), hold_up_to="high"))
    assert _actions(plan(strict, alert, ALL, _at(23, 30), WITA))["email"] == "hold"


def test_urgent_alert_reaches_someone_even_if_preferences_want_no_channel() -> None:
    prefs = Preferences(
        channels={name: ChannelRule(enabled=False) for name in ("email", "sms", "chat")}
    )
    routes = plan(prefs, Alert("case.escalated", "high", step=SUPERVISOR), ["sms"], _at(10), WITA)
    assert _actions(routes) == {"email": "skip", "sms": "send", "chat": "skip"}
    quiet = plan(prefs, Alert("case.assigned", "high"), ["sms"], _at(10), WITA)
    assert all(r.action == "skip" for r in quiet)


def test_rate_windows_are_aligned_so_every_replica_agrees() -> None:
    now = datetime(2024, 11, 20, 10, 7, 30, tzinfo=UTC)
    window = rate_window(now, 600)
    assert window.start == datetime(2024, 11, 20, 10, 0, tzinfo=UTC)
    assert window.end == window.start + timedelta(minutes=10)
    assert rate_window(now + timedelta(minutes=2), 600) == window
    assert rate_window(now + timedelta(minutes=3), 600).id != window.id


def test_rate_limit_admits_the_first_alerts_of_a_window() -> None:
    assert within_rate(1, 3)
    assert within_rate(3, 3)
    assert not within_rate(4, 3)
    assert not within_rate(None, 3)
    assert within_rate(None, 0)  # no limit configured


def test_fallback_takes_the_officers_other_reachable_channel() -> None:
    assert fallback_channel("email", ["email"], ["email", "sms"]) == "sms"
    assert fallback_channel("sms", ["email", "sms"], ["email", "sms", "chat"]) == "chat"
    assert fallback_channel("email", ["email"], ["email"]) is None


def test_preferences_round_trip_through_their_document() -> None:
    prefs = Preferences.from_document(
        {
            "channels": {"sms": {"min_priority": "urgent"}},
            "quiet_hours": {"start": "22:00", "end": "05:30", "hold_up_to": "low"},
        }
    )
    assert Preferences.from_document(prefs.to_document()) == prefs


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"channels": {"fax": {}}}, "channels.fax"),
        ({"channels": {"sms": {"min_priority": "panic"}}}, "channels.sms.min_priority"),
        ({"channels": {"sms": {"events": ["case.deleted"]}}}, "channels.sms.events"),
        ({"channels": {"sms": {"enabled": "yes"}}}, "channels.sms.enabled"),
        ({"quiet_hours": {"start": "25:00", "end": "06:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours"),
        (
            {"quiet_hours": {"start": "22:00", "end": "6:00", "hold_up_to": "urgent"}},
            "quiet_hours.hold_up_to",
        ),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_preferences_name_the_field(document: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(PreferenceError) as caught:
        Preferences.from_document(document)
    assert caught.value.field == field


def test_unknown_time_zone_falls_back_to_wib() -> None:
    assert zone_of("Mars/Olympus") == ZoneInfo("Asia/Jakarta")
    assert zone_of("Asia/Jayapura") == ZoneInfo("Asia/Jayapura")


@pytest.mark.parametrize(
    ("alert", "held"),
    [
        (Alert("case.assigned", "low"), True),
        (Alert("case.assigned", "normal"), True),
        (Alert("case.assigned", "high"), False),
        (Alert("case.assigned", "urgent"), False),
        (Alert("case.deadline_moved", "high"), False),
        (Alert("case.escalated", "low", step=SUPERVISOR), False),
        (Alert("case.escalated", "normal", step=REMINDER), True),
    ],
)
def test_only_low_and_normal_alerts_may_wait_for_the_rate_limit(alert: Alert, held: bool) -> None:
    assert alert.rate_limited is held


def test_a_high_alert_goes_out_at_once_on_every_channel_the_officer_has() -> None:
    routes = plan(Preferences(), Alert("case.assigned", "high"), CHANNELS, _at(10), WITA)
    assert [r.action for r in routes] == ["send", "send", "send"]


def test_the_last_alert_a_window_admits_announces_the_digest() -> None:
    assert admit(1, 3) == "send"
    assert admit(2, 3) == "send"
    assert admit(3, 3) == "send_last"
    assert admit(4, 3) == "hold"
    assert admit(None, 3) == "hold"
    assert admit(None, 0) == "send"  # no limit: nothing to announce
    assert admit(1, 1) == "send_last"
