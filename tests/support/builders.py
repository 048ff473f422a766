"""Realistic test data shared by the integration and end-to-end tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any


def case_payload(**overrides: Any) -> dict[str, Any]:
    """A valid submission as a Diskominfo clerk in Kabupaten Karo would file it."""
    now = datetime.now(UTC)
    payload: dict[str, Any] = {
        "source": "public_report",
        "title": "ASN membagikan unggahan tim pemenangan paslon di Facebook",
        "description": (
            "Seorang staf Dinas Pendidikan Kabupaten Karo membagikan unggahan akun tim "
            "pemenangan pasangan calon nomor urut 2 di Facebook dan menulis komentar dukungan."
        ),
        "occurred_at": (now - timedelta(days=2)).isoformat(),
        "known_at": (now - timedelta(days=1)).isoformat(),
        "location": {"text": "Kabanjahe", "district": "Kabanjahe"},
        "accused": [
            {
                "name": "Rudi Ginting",
                "nip": "198609262015051001",
                "employment_type": "PNS",
                "agency": "Dinas Pendidikan Kabupaten Karo",
                "position": "Staf",
            }
        ],
        "reporter": {"anonymous": True},
        "evidence_urls": ["https://www.facebook.com/share/p/abc123/?mibextid=xyz"],
    }
    payload.update(overrides)
    return payload


def plain_text(mail: EmailMessage) -> str:
    """The plain-text part of a received mail."""
    part = mail.get_body(("plain",))
    assert part is not None, "the mail has no plain-text part"
    text: str = part.get_content()
    return text
