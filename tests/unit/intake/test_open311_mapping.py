"""Translating GeoReport v2 requests into case submissions and cases back into requests."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.intake.cases.schemas import MAX_TITLE, validate_submission
from services.intake.open311.mapping import (
    GeoReportError,
    service_request,
    services,
    split_attributes,
    submission_payload,
    title_from,
    validate,
)
from shared.categories import CATEGORIES

NOW = datetime(2024, 11, 20, 3, 0, tzinfo=UTC)
WITA = ZoneInfo("Asia/Makassar")


def request(**fields: str) -> dict[str, str]:
    base = {
        "service_code": "FASILITAS",
        "description": "Mobil dinas plat merah dipakai ke deklarasi paslon. Saya melihatnya.",
        "address_string": "Tenggarong",
    }
    base.update(fields)
    return base


def test_every_category_is_a_service() -> None:
    assert {s["service_code"] for s in services()} == set(CATEGORIES)


def test_title_is_the_first_sentence() -> None:
    assert title_from("Ada ASN ikut kampanye! Fotonya di grup.") == "Ada ASN ikut kampanye!"
    assert title_from("Baris pertama\nbaris kedua") == "Baris pertama"


def test_long_title_is_cut_at_a_word() -> None:
    title = title_from("kata " * 100)
    assert len(title) <= MAX_TITLE
    assert title.endswith("kata…")


def test_request_becomes_a_valid_submission_without_accused() -> None:
    payload = submission_payload(request(), {}, now=NOW)
    sub = validate(payload, now=NOW, tz=WITA)
    assert sub.accused == []
    assert sub.title == "Mobil dinas plat merah dipakai ke deklarasi paslon."
    assert sub.location.text == "Tenggarong"
    assert sub.reporter is not None
    assert sub.reporter.anonymous is True
    assert sub.occurred_at == NOW


def test_the_relaxation_is_open311s_alone() -> None:
    payload = submission_payload(request(), {}, now=NOW)
    with pytest.raises(ValueError, match="accused"):
        validate_submission(payload, now=NOW, tz=WITA)


def test_coordinates_alone_are_a_location() -> None:
    fields = request(lat="-0.4462", long="116.9866")
    del fields["address_string"]
    payload = submission_payload(fields, {}, now=NOW)
    assert payload["location"] == {"text": "Koordinat -0.446200, 116.986600"}


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"lat": "91", "long": "0"}, "within -90..90"),
        ({"lat": "nan", "long": "1"}, "within -90..90"),
        ({"address_string": "", "address_id": "42"}, "address_id is not supported"),
    ],
)
def test_bad_locations_are_named(fields: dict[str, str], says: str) -> None:
    with pytest.raises(GeoReportError) as refused:
        submission_payload(request(**fields), {}, now=NOW)
    assert refused.value.status == 400
    assert any(says in d for d in refused.value.descriptions)


def test_reporter_is_confidential_and_named_from_both_names() -> None:
    payload = submission_payload(
        request(first_name="Siti", last_name="Rahayu", phone="081234567890"), {}, now=NOW
    )
    assert payload["reporter"] == {
        "name": "Siti Rahayu",
        "phone": "081234567890",
        "anonymous": False,
        "confidential": True,
    }
    sub = validate(payload, now=NOW, tz=WITA)
    assert sub.reporter is not None
    assert sub.reporter.phone == "+6281234567890"


def test_attributes_are_split_from_plain_fields() -> None:
    plain, attributes = split_attributes(
        {"service_code": "X", "attribute[accused_name]": "Rudi", "attribute[tags][]": "a"}
    )
    assert plain == {"service_code": "X"}
    assert attributes == {"accused_name": "Rudi", "tags": "a"}


def test_case_becomes_a_service_request_in_local_time() -> None:
    case = {
        "_id": "6740a1b2c3d4e5f607182930",
        "tenant": "64.02",
        "status": "received",
        "description": "Mobil dinas ...",
        "submitted_at": NOW,
        "updated_at": NOW,
        "location": {"text": "Tenggarong"},
        "category_hint": "FASILITAS",
        "triage": {"category": "KAMPANYE", "unit": "Inspektorat", "due_at": NOW},
        "evidence_urls": ["https://example.org/a.jpg"],
    }
    answer = service_request(case, WITA, "Laporan Anda telah diterima.")
    assert answer["service_code"] == "FASILITAS"  # what was asked for, not what triage found
    assert answer["service_name"] == CATEGORIES["FASILITAS"][0]
    assert answer["status"] == "open"
    assert answer["requested_datetime"] == "2024-11-20T11:00:00+08:00"
    assert answer["agency_responsible"] == "Inspektorat"
    assert answer["media_url"] == "https://example.org/a.jpg"
    assert service_request({**case, "status": "closed"}, WITA, "")["status"] == "closed"
