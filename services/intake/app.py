"""Intake's HTTP app: the case registry regency offices submit to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from services.intake import (
    api_actions,
    api_auth,
    api_cases,
    api_evidence,
    api_exports,
    api_keys,
    api_officers,
    api_open311,
    api_statistics,
    api_tracking,
)
from services.intake import deps as intake_deps
from services.intake.bootstrap import SERVICE, bootstrap, ensure_indexes
from services.intake.keys import authenticate
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
    app.config["PANTAU_AUTHENTICATE"] = authenticate
    app.extensions["pantau.intake"] = intake_deps.build(settings)
    if settings.trusted_proxies:
        # Only behind known proxies may X-Forwarded-For choose the address rate limits count.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    app.register_blueprint(api_auth.bp)
    app.register_blueprint(api_cases.bp)
    app.register_blueprint(api_actions.bp)
    app.register_blueprint(api_keys.bp)
    app.register_blueprint(api_tracking.bp)
    app.register_blueprint(api_evidence.bp)
    app.register_blueprint(api_open311.bp)
    app.register_blueprint(api_exports.bp)
    app.register_blueprint(api_statistics.bp)
    app.register_blueprint(api_officers.bp)
    return app
