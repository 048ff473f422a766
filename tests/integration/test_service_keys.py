"""The console's service keys, registered from configuration at intake's start."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from services.intake.access.keys import authenticate, revoke
from services.intake.access.service_keys import MalformedServiceKey, register_configured
from services.intake.bootstrap import bootstrap, ensure_indexes
from shared.settings import Settings

CONSOLE = "pnt_consolekey_" + "c" * 40
PUBLIC = "pnt_publickey1_" + "p" * 40


def test_configured_keys_are_registered_once_and_work_with_their_roles(
    settings: Settings,
) -> None:
    configured = settings.model_copy(
        update={"console_key": SecretStr(CONSOLE), "public_key": SecretStr(PUBLIC)}
    )
    bootstrap(configured)
    ensure_indexes()

    assert register_configured(configured) == ["console", "public"]
    assert register_configured(configured) == []  # a second start, or a second replica

    console, public = authenticate(CONSOLE), authenticate(PUBLIC)
    assert console is not None
    assert console.role == "console"
    assert public is not None
    assert public.role == "public"
    assert authenticate(CONSOLE[:-1] + "x") is None


def test_a_revoked_configured_key_stays_revoked_across_restarts(settings: Settings) -> None:
    configured = settings.model_copy(update={"console_key": SecretStr(CONSOLE)})
    bootstrap(configured)
    ensure_indexes()
    register_configured(configured)
    assert revoke("consolekey")
    register_configured(configured)
    assert authenticate(CONSOLE) is None


@pytest.mark.parametrize("token", ["console", "pnt_short_" + "s" * 40, "pnt_longenough_short"])
def test_a_malformed_configured_key_stops_the_start(settings: Settings, token: str) -> None:
    configured = settings.model_copy(update={"console_key": SecretStr(token)})
    bootstrap(configured)
    ensure_indexes()
    with pytest.raises(MalformedServiceKey):
        register_configured(configured)
