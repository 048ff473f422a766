"""What the console's pages need besides the request, built once per process by
``create_app``: the clients of the three services and the console's own small store."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from pymongo.collection import Collection

from services.console.clients.base import ServiceClient
from shared import client_stand_ins, mongo
from shared.ratelimit import SharedLimiter
from shared.settings import Settings

ALIAS = "console"


@dataclass
class ConsoleDeps:
    settings: Settings
    intake: ServiceClient
    triage: ServiceClient
    notify: ServiceClient
    limiter: SharedLimiter
    # Keys the stand-ins of citizens' addresses (``shared/client_stand_ins.py``).
    client_key: bytes

    @property
    def console_key(self) -> str:
        """The console's own intake key (role console), for the sign-in steps."""
        return self.settings.console_key.get_secret_value()

    @property
    def public_key(self) -> str:
        """The public pages' intake key (role public), for citizens' reports."""
        return self.settings.public_key.get_secret_value()

    def collection(self, name: str) -> Collection[dict[str, object]]:
        """One of the console's own collections (visits, spent challenges, counters)."""
        found: Collection[dict[str, object]] = mongo.database(ALIAS)[name]
        return found


def build(settings: Settings) -> ConsoleDeps:
    """Wire the dependencies (no socket is opened until first use)."""
    return ConsoleDeps(
        settings=settings,
        intake=ServiceClient("intake", settings.intake_url),
        triage=ServiceClient("triage", settings.triage_url),
        notify=ServiceClient("notify", settings.notify_url),
        limiter=SharedLimiter(mongo.database(ALIAS)["rate_limits"]),
        client_key=client_stand_ins.key_from(
            settings.console_secret.get_secret_value().encode(), "console"
        ),
    )


def deps() -> ConsoleDeps:
    """The current app's dependencies."""
    found: ConsoleDeps = current_app.extensions["pantau.console"]
    return found
