"""What each notification on a case page was about, in the page's language: the kind of
alert, an escalation's step in words, which resend an assignment was, a digest's size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import Babel

from services.console.web.labels import alert_label

CONSOLE = Path(__file__).resolve().parents[3] / "services" / "console"
REMINDER = "lapor_verification@2026-11-24:reminder:24h"
BREACH = "lapor_answer@2026-11-24:breach:supervisor"


def _label(delivery: dict[str, Any], language: str) -> str:
    app = Flask(__name__)
    app.config.update(BABEL_TRANSLATION_DIRECTORIES=str(CONSOLE / "translations"))
    Babel(app, locale_selector=lambda: language, timezone_selector=lambda: "Asia/Jakarta")
    with app.test_request_context():
        return alert_label(delivery)


@pytest.mark.parametrize(
    ("delivery", "indonesian", "english"),
    [
        ({"event_type": "case.assigned"}, "Penugasan kasus", "Case assignment"),
        (
            {"event_type": "case.assigned", "resend": 2},
            "Penugasan dikirim ulang (2): belum dikonfirmasi",
            "Assignment sent again (2): not acknowledged yet",
        ),
        (
            {"event_type": "case.escalated", "step": REMINDER},
            "Pengingat: tenggat tahap verifikasi laporan tinggal 24 jam",
            "Reminder: the report verification deadline is 24 hours away",
        ),
        (
            {"event_type": "case.escalated", "step": BREACH},
            "Tenggat tahap tindak lanjut laporan terlewati; diteruskan ke atasan",
            "The report follow-up deadline has passed; passed on to the supervisor",
        ),
        # Recorded before the step was kept, or a step this release cannot word.
        ({"event_type": "case.escalated"}, "Eskalasi", "Escalation"),
        ({"event_type": "case.escalated", "step": "x:y"}, "Eskalasi", "Escalation"),
        ({"event_type": "case.reassigned"}, "Pengalihan kasus", "Case reassignment"),
        (
            {"event_type": "case.information_received"},
            "Keterangan baru dari pelapor",
            "New information from the reporter",
        ),
        ({"event_type": "case.deadline_moved"}, "Tenggat berubah", "Deadline changed"),
        (
            {"kind": "digest", "alerts_in_digest": 12},
            "Ringkasan 12 pemberitahuan",
            "Digest of 12 alerts",
        ),
        ({"kind": "digest"}, "Ringkasan pemberitahuan", "Alert digest"),
        ({"event_type": "something.new"}, "", ""),
    ],
)
def test_a_notification_says_what_it_was_about(
    delivery: dict[str, Any], indonesian: str, english: str
) -> None:
    assert _label(delivery, "id") == indonesian
    assert _label(delivery, "en") == english
