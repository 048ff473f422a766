"""The console's protective headers and form tokens.

Flask-Talisman sets the Content-Security-Policy (scripts only from the console itself, no
inline script or style, no framing, forms only to the console), HSTS, the referrer policy
and the cookie flags; Flask-WTF puts a synchronizer token in every form and refuses a
state-changing request without it. Images may be ``data:`` URIs (the QR code of the second
factor is inline SVG, charts are SVG images served by the console).
"""

from __future__ import annotations

from typing import Final

from flask import Flask
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

POLICY: Final = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'none'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# An SVG chart shown through <img> runs no script and cannot reach the page; its own inline
# styles (pygal writes them) are all it needs.
CHART_POLICY: Final = {"default-src": "'none'", "style-src": "'unsafe-inline'"}

talisman = Talisman()
csrf = CSRFProtect()


def install(app: Flask, *, secure_cookies: bool) -> None:
    """Headers and CSRF for every response and form of ``app``."""
    talisman.init_app(
        app,
        content_security_policy=POLICY,
        # TLS ends at the reverse proxy; redirecting here would loop behind it.
        force_https=False,
        strict_transport_security=secure_cookies,
        frame_options="DENY",
        referrer_policy="same-origin",
        session_cookie_secure=secure_cookies,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )
    csrf.init_app(app)
