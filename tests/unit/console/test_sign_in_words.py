"""Every event intake writes to the sign-in log has words on the operators' page."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask_babel import Babel

from services.console.operate.sign_in_words import describe

INTAKE = Path(__file__).resolve().parents[3] / "services" / "intake"
LOGGED = re.compile(r'log_event\(\s*"([a-z_]+)"')


def test_each_logged_event_reads_as_words_not_as_its_code() -> None:
    events = {
        found
        for path in INTAKE.rglob("*.py")
        for found in LOGGED.findall(path.read_text(encoding="utf-8"))
    }
    events |= {"invitation_issued", "reset_issued"}  # written as f"{purpose}_issued"
    assert len(events) > 10
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        raw = [e for e in sorted(events) if describe({"event": e}).text == e]
    assert raw == []
