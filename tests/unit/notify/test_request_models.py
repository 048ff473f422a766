"""What notify's API accepts, checked by its request models (no app, no database)."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from pydantic import ValidationError

from services.notify.request_models import PreferencesUpdate, SendTestBody
from shared.field_errors import field_errors


def refused(model: type[PreferencesUpdate | SendTestBody], body: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {e["field"]: e["message"] for e in field_errors(caught.value)}


def test_parts_left_out_or_null_keep_the_defaults() -> None:
    update = PreferencesUpdate.model_validate(
        {"channels": {"sms": {"min_priority": "urgent", "enabled": None}}, "quiet_hours": None}
    )
    preferences = update.preferences()
    assert preferences.rule("sms").min_priority == "urgent"
    assert preferences.rule("sms").enabled is True
    assert preferences.rule("email").min_priority == "low"
    assert preferences.quiet_hours is None


def test_quiet_hours_become_local_times() -> None:
    update = PreferencesUpdate.model_validate(
        {"quiet_hours": {"start": "21:30", "end": "6:00", "hold_up_to": "high"}}
    )
    quiet = update.preferences().quiet_hours
    assert quiet is not None
    assert (quiet.start, quiet.end, quiet.hold_up_to) == (time(21, 30), time(6, 0), "high")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"quiet_hours": {"start": "9pm", "end": "06:00"}}, "quiet_hours.start", "HH:MM"),
        ({"quiet_hours": {"start": "06:00", "end": "06:00"}}, "quiet_hours", "must differ"),
        ({"channels": {"pager": {}}}, "channels.pager", "must be one of"),
        ({"channels": {"sms": {"enabled": "no"}}}, "channels.sms.enabled", "true or false"),
        ({"channels": {"sms": {"events": ["case.closed"]}}}, "channels.sms.events[0]", "one of"),
        ({"chat_url": "not a url"}, "chat_url", "not an Apprise URL"),
        ({"colour": "red"}, "colour", "field not allowed"),
    ],
)
def test_wrong_preferences_name_the_field(body: dict[str, Any], field: str, message: str) -> None:
    errors = refused(PreferencesUpdate, body)
    assert message in errors[field]


def test_a_test_send_names_an_officer_and_a_channel() -> None:
    assert refused(SendTestBody, {"officer_id": "  "}) == {
        "officer_id": "must not be empty",
        "channel": "this field is required",
    }
    body = SendTestBody.model_validate({"officer_id": " karo-1 ", "channel": "sms"})
    assert (body.officer_id, body.channel) == ("karo-1", "sms")
