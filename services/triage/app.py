"""Triage's HTTP app: decisions and their explanations, overrides, dry runs, province
clusters and each regency's configuration; plus health, readiness, metrics and its OpenAPI
document (``/openapi.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from services.triage import deps as triage_deps
from services.triage import openapi
from services.triage.api_access import EXTENSION
from services.triage.bootstrap import SERVICE, bootstrap, ensure_indexes
from services.triage.routes import BLUEPRINTS
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
    app.extensions[EXTENSION] = triage_deps.build(settings)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    openapi.serve(app)
    return app
