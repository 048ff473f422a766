"""Intake's HTTP app: the case registry regency offices submit to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from services.intake import deps as intake_deps
from services.intake.access import account_api, people_api, sign_in_api
from services.intake.access import keys_api as api_keys
from services.intake.access import whoami_api as api_auth
from services.intake.access.authenticate import make_authenticator
from services.intake.actions import api as api_actions
from services.intake.bootstrap import SERVICE, bootstrap, ensure_indexes
from services.intake.cases import api as api_cases
from services.intake.cases import tracking_api as api_tracking
from services.intake.directory import api as api_officers
from services.intake.evidence import api as api_evidence
from services.intake.exports import api as api_exports
from services.intake.exports import statistics_api as api_statistics
from services.intake.open311 import api as api_open311
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
    app.register_blueprint(sign_in_api.bp)
    app.register_blueprint(account_api.bp)
    app.register_blueprint(people_api.bp)
    return app
