"""Realistic triage inputs shared by the triage unit and integration tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import mongoengine
from bson import ObjectId
from pymongo import MongoClient

from services.triage.rules_files import default_rules_text
from shared.contracts import AccusedRef, CaseStatusChanged, CaseSubmitted, Envelope, new_envelope
from shared.settings import Settings

KARO = "12.06"
KUTAI_KARTANEGARA = "64.02"
KUTAI_TIMUR = "64.08"
# Monday 4 Nov 2024, 10:00 in Karo (WIB): the middle of the Pilkada campaign.
MONDAY = datetime(2024, 11, 4, 3, 0, tzinfo=UTC)

MEDSOS_TITLE = "ASN membagikan unggahan tim pemenangan paslon di Facebook"
MEDSOS_TEXT = (
    "Seorang staf Dinas Pendidikan Kabupaten Karo membagikan unggahan akun tim pemenangan "
    "pasangan calon nomor urut 2 di Facebook dan menulis komentar dukungan."
)
HOAX_TITLE = "Hoaks pemungutan suara diundur"
HOAX_TEXT = (
    "Pesan berantai: Pemungutan suara Pilkada Kalimantan Timur diundur menjadi 4 Desember "
    "karena logistik surat suara belum lengkap. Pengumuman resmi KPU menyusul. Jangan datang "
    "ke TPS tanggal 27 November, sebarkan ke keluarga. Ini hoaks yang beredar di grup WA."
)


class FakeClock:
    """A settable "now" for code that asks a clock; tests move it, never sleep."""

    def __init__(self, now: datetime = MONDAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def new_case_id() -> str:
    return str(ObjectId())


def accused(
    name: str = "Rudi Ginting",
    nip: str | None = "198609262015051001",
    agency: str | None = "Dinas Pendidikan Kabupaten Karo",
    employment_type: str = "PNS",
    position: str | None = "Staf",
) -> AccusedRef:
    return AccusedRef.model_validate(
        {
            "name": name,
            "nip": nip,
            "agency": agency,
            "employment_type": employment_type,
            "position": position,
        }
    )


def submitted(
    *,
    case_id: str | None = None,
    title: str = MEDSOS_TITLE,
    description: str = MEDSOS_TEXT,
    at: datetime = MONDAY,
    known_days_before: float = 1,
    evidence_urls: list[str] | None = None,
    people: list[AccusedRef] | None = None,
    **extra: Any,
) -> CaseSubmitted:
    """A ``case.submitted`` payload as intake emits it."""
    return CaseSubmitted(
        case_id=case_id or new_case_id(),
        tracking_code=extra.pop("tracking_code", "K7QM-3XPA-9D2F-HT6W"),
        source=extra.pop("source", "public_report"),
        title=title,
        description=description,
        occurred_at=at - timedelta(days=known_days_before + 1),
        known_at=at - timedelta(days=known_days_before),
        submitted_at=at,
        accused=people if people is not None else [accused()],
        evidence_urls=(
            evidence_urls
            if evidence_urls is not None
            else ["https://www.facebook.com/share/p/abc123/?mibextid=xyz"]
        ),
        **extra,
    )


def envelope_of(event: Any, tenant: str = KARO, at: datetime | None = None) -> Envelope:
    return new_envelope(event, tenant=tenant, correlation_id="corr-test", occurred_at=at)


def status_change(
    case_id: str, to_status: str, from_status: str = "received", actor: str = "Joni Sitepu"
) -> CaseStatusChanged:
    return CaseStatusChanged(
        case_id=case_id, from_status=from_status, to_status=to_status, actor=actor
    )


def database_only_settings(mongo_url: str) -> Iterator[Settings]:
    """Settings with a database of their own and no broker, for tests that never publish
    (creating a virtual host per test costs about a second)."""
    settings = Settings(mongo_url=mongo_url, db_prefix=f"t{uuid.uuid4().hex[:10]}")
    yield settings
    client: MongoClient[dict[str, object]] = MongoClient(mongo_url)
    client.drop_database(settings.database_name("triage"))
    client.close()
    mongoengine.disconnect(alias="triage")


def short_sighted_rules_text(version: str = "short-sighted-1") -> str:
    """The shipped rules reading only a report's first 12 characters: a candidate that
    changes (and mostly breaks) proposals, under a version of its own."""
    text = re.sub(r"^version: .*$", f'version: "{version}"', default_rules_text(), flags=re.M)
    return re.sub(r"max_scan_chars: \d+", "max_scan_chars: 12", text)
