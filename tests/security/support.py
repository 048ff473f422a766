"""Shared helpers of the security tests: keys, headers and a case to attack."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from services.intake.access.keys import create_key
from tests.support.builders import case_payload

KARO = "12.06"
OTHER_REGENCY = "64.02"  # Kutai Kartanegara: another province altogether
SUMUT = "12"
KALTIM = "64"

REPORTER = {
    "name": "Siti Rahmawati",
    "phone": "0812-6000-1234",
    "email": "siti.rahmawati@contoh.id",
    "anonymous": False,
}

# A minimal PDF: evidence accepted as it is, so an upload gives a real evidence id.
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def key(region: str = KARO, role: str = "submitter") -> str:
    return create_key(name=f"{role} {region}", region=region, role=role)[0]


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def submit(client: FlaskClient, token: str, **overrides: Any) -> dict[str, Any]:
    answer = client.post("/v1/cases", json=case_payload(**overrides), headers=auth(token))
    assert answer.status_code == 201, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def upload_pdf(client: FlaskClient, case_id: str, token: str, body: bytes = PDF) -> TestResponse:
    return client.post(
        f"/v1/cases/{case_id}/evidence",
        data={"file": [(io.BytesIO(body), "bukti.pdf", "application/pdf")]},
        headers=auth(token),
        content_type="multipart/form-data",
    )
