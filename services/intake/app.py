"""Intake's HTTP app: the case registry regency offices submit to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from services.intake import deps as intake_deps
from services.intake import openapi
from services.intake.access.authenticate import make_authenticator
from services.intake.bootstrap import SERVICE, bootstrap, ensure_indexes
from services.intake.routes import BLUEPRINTS
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
    app.config["PANTAU_AUTHENTICATE"] = make_authenticator(intake_deps.lifetimes(settings))
    app.extensions["pantau.intake"] = intake_deps.build(settings)
    if settings.trusted_proxies:
        # Only behind known proxies may X-Forwarded-For choose the address rate limits count.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    openapi.serve(app)
    return app
