"""Notify's HTTP app: delivery history, preferences, parked notifications and test sends,
plus health, readiness, metrics and its OpenAPI document (``/openapi.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from services.notify import openapi
from services.notify.bootstrap import SERVICE, bootstrap, ensure_indexes
from services.notify.routes import BLUEPRINTS
from shared.auth import RemoteAuthenticator
from shared.settings import Settings, get_settings
from shared.web import create_service_app


def create_app(config: Mapping[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """Build the app; nothing connects until the first request needs it."""
    settings = settings or get_settings()
    app = create_service_app(
        SERVICE,
        settings,
        register_database=bootstrap,
        ensure_indexes=ensure_indexes,
        config=config,
    )
    app.config.setdefault("PANTAU_AUTHENTICATE", RemoteAuthenticator(settings.intake_url))
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    openapi.serve(app)
    return app
