"""What the console's unit tests share: a bare Flask app with Babel, for forms and texts read
inside a request (Indonesian, the source language, as no catalogue is loaded)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x" * 32, WTF_CSRF_ENABLED=False)
    Babel(app)
    return app
