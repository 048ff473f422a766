"""The console's HTTP app: the pages people use, made from the services' answers.

Officers, supervisors, auditors and operators sign in and work their cases; citizens report
and follow their report with a tracking code. The console owns no case data: it reads and
changes cases only through intake, triage and notify, as the signed-in person (or, for
citizens, with its public key), so tenancy, roles, versions and the audit trail stay where
they are enforced. Its own small database holds what only pages need (which cases a person
has seen, spent anti-abuse challenges, counters).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from flask import Flask, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_compress import Compress
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from services.console import deps as console_deps
from services.console.auth import views as auth_views
from services.console.cases import actions as case_actions
from services.console.cases import case_page, evidence, queue
from services.console.operate import views as operate_views
from services.console.public import views as public_views
from services.console.stats import views as stats_views
from services.console.team import views as team_views
from services.console.web import errors, fields, formatting, i18n, labels, person, security
from services.console.web.assets import install as install_assets
from shared import logs, mongo
from shared.metrics import VERSION
from shared.settings import Settings, get_settings
from shared.web import create_base_app

SERVICE = "console"
# Files a report or an answer may carry in one sending, each within intake's own limit.
MAX_FILES_PER_FORM = 5


def create_app(config: Mapping[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """Build the app; nothing connects until the first request needs it."""
    settings = settings or get_settings()
    secret = settings.console_secret.get_secret_value()
    if len(secret) < 32:
        raise ValueError(
            "PANTAU_CONSOLE_SECRET must be set to a random string of at least 32 characters: "
            "it signs the console's session cookies and form tokens."
        )
    logs.configure(SERVICE, settings.log_level)
    mongo.connect(settings, console_deps.ALIAS)
    app = create_base_app(
        SERVICE,
        settings,
        readiness={
            "mongodb": lambda: mongo.ping(console_deps.ALIAS),
            "intake": lambda: _answers(settings.intake_url),
        },
        config={
            "SECRET_KEY": secret,
            "SESSION_COOKIE_NAME": "pantau_session",
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=settings.session_absolute_hours),
            # The token lives as long as the session: a long report typed on a slow phone
            # must not be refused for being slow.
            "WTF_CSRF_TIME_LIMIT": None,
            "MAX_CONTENT_LENGTH": settings.evidence_max_file_bytes * MAX_FILES_PER_FORM + 1_048_576,
            "SEND_FILE_MAX_AGE_DEFAULT": 86_400,
            "COMPRESS_MIMETYPES": [
                "text/html",
                "text/css",
                "text/javascript",
                "application/javascript",
                "image/svg+xml",
                "text/csv",
            ],
            **dict(config or {}),
        },
        root_path=str(Path(__file__).parent),
    )
    app.extensions["pantau.console"] = console_deps.build(settings)
    if settings.trusted_proxies:
        # Only behind known proxies may X-Forwarded-For name the client (throttles count it).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    security.install(app, secure_cookies=settings.console_cookie_secure)
    errors.install(app)
    i18n.install(app)
    labels.install(app)
    formatting.install(app)
    fields.install(app)
    person.install(app)
    install_assets(app, VERSION)
    Compress(app)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(queue.bp)
    app.register_blueprint(case_page.bp)
    app.register_blueprint(case_actions.bp)
    app.register_blueprint(evidence.bp)
    app.register_blueprint(team_views.bp)
    app.register_blueprint(stats_views.bp)
    app.register_blueprint(operate_views.bp)
    app.register_blueprint(public_views.bp)

    @app.get("/")
    def home() -> ResponseReturnValue:
        if current_user.is_authenticated:
            return redirect(url_for("cases.queue"))
        return redirect(url_for("auth.sign_in"))

    return app


def _answers(url: str) -> bool:
    return requests.get(url.rstrip("/") + "/healthz", timeout=1.0).status_code == 200
