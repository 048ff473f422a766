from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.intake.cases.schemas import (
    CLOCK_SKEW,
    LIMITS,
    MAX_ACCUSED,
    MAX_BATCH,
    MAX_DESCRIPTION,
    MAX_EVIDENCE_URLS,
    MAX_TITLE,
    MAX_URL,
    MAX_WITNESSES,
    Accused,
    CaseSubmission,
    is_late_filing,
    json_schema,
    validate_submission,
)
from shared.field_errors import field_errors

WIB = ZoneInfo("Asia/Jakarta")  # Kabupaten Karo
WITA = ZoneInfo("Asia/Makassar")  # Kabupaten Kutai Kartanegara
# 21 Nov 2024, 10:00 WIB: campaign week before the Pilkada vote.
NOW = datetime(2024, 11, 21, 3, 0, tzinfo=UTC)


def accused(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name": "Drs. Bonar Sitepu",
        "nip": "19860926 201505 1 001",
        "employment_type": "PNS",
        "agency": "Dinas Pendidikan Kabupaten Karo",
        "position": "Guru SD Negeri",
    }
    item.update(overrides)
    return item


def payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": "public_report",
        "source_ref": "LAPOR-2024-11-0042",
        "title": "Guru SD pose dua jari bersama paslon",
        "description": (
            "Foto di grup WA pemenangan memperlihatkan seorang guru berpose salam dua jari "
            "bersama calon bupati saat jam dinas."
        ),
        "occurred_at": "2024-11-18T09:15",
        "known_at": "2024-11-19",
        "location": {
            "text": "Halaman SD Negeri 040450 Kabanjahe",
            "district": "Kabanjahe",
            "village": "Gung Leto",
        },
        "accused": [accused()],
        "reporter": {
            "name": "Siti Rahayu br Ginting",
            "phone": "0812-3456-7890",
            "email": "siti.rahayu@example.go.id",
        },
        "evidence_urls": ["https://www.facebook.com/groups/relawan/posts/1234567890"],
        "witnesses": [
            {"name": "Rudi Tarigan", "phone": "+62 857 1234 5678", "statement": "Saya melihat."}
        ],
        "region_code": "12.06",
    }
    data.update(overrides)
    return data


def validate(data: object, *, now: datetime = NOW, tz: ZoneInfo = WIB) -> CaseSubmission:
    return validate_submission(data, now=now, tz=tz)


def errors_of(data: object, *, now: datetime = NOW, tz: ZoneInfo = WIB) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as info:
        validate(data, now=now, tz=tz)
    return field_errors(info.value)


def codes_by_field(data: object, **kwargs: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in errors_of(data, **kwargs)}


# ----------------------------------------------------------------------- happy path


def test_valid_submission_is_normalised() -> None:
    sub = validate(payload())
    assert sub.source == "public_report"
    assert sub.accused[0].nip == "198609262015051001"
    assert sub.reporter is not None
    assert sub.reporter.phone == "+6281234567890"
    assert sub.reporter.confidential is True
    assert sub.witnesses[0].phone == "+6285712345678"
    assert sub.occurred_at == datetime(2024, 11, 18, 2, 15, tzinfo=UTC)
    assert sub.known_at == datetime(2024, 11, 18, 17, 0, tzinfo=UTC)
    assert sub.region_code == "12.06"


def test_minimal_submission_from_monitoring() -> None:
    sub = validate(
        {
            "source": "monitoring",
            "title": "Camat membagikan poster paslon di Facebook",
            "description": "Unggahan akun pribadi camat berisi poster kampanye paslon nomor 2.",
            "occurred_at": "2024-11-20",
            "known_at": "2024-11-20",
            "location": {"text": "Facebook"},
            "accused": [{"name": "Ir. Joni Sembiring", "employment_type": "PNS"}],
        }
    )
    assert sub.reporter is None
    assert sub.evidence_urls == []
    assert sub.witnesses == []
    assert sub.accused[0].nip is None
    assert sub.region_code is None


@pytest.mark.parametrize("source", ["monitoring", "public_report", "bawaslu_referral", "internal"])
def test_every_source_is_accepted(source: str) -> None:
    assert validate(payload(source=source)).source == source


def test_strings_are_stripped_and_blank_optionals_become_absent() -> None:
    sub = validate(
        payload(
            title="  Guru pose dua jari  ",
            source_ref="",
            location={"text": " Kabanjahe ", "district": "", "village": "   "},
            accused=[accused(agency="", position=" Camat ")],
        )
    )
    assert sub.title == "Guru pose dua jari"
    assert sub.source_ref is None
    assert sub.location.text == "Kabanjahe"
    assert sub.location.district is None
    assert sub.location.village is None
    assert sub.accused[0].agency is None
    assert sub.accused[0].position == "Camat"


def test_submission_is_immutable() -> None:
    sub = validate(payload())
    with pytest.raises(ValidationError):
        sub.title = "diubah"


# ------------------------------------------------------------------- shape and limits


def test_unknown_source_is_rejected() -> None:
    errors = errors_of(payload(source="tiktok"))
    assert errors == [
        {
            "field": "source",
            "message": "must be one of 'monitoring', 'public_report', 'bawaslu_referral' "
            "or 'internal'",
            "code": "literal_error",
        }
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nik": "1206012505870003"}, "nik"),
        ({"location": {"text": "Kabanjahe", "rt_rw": "002/003"}}, "location.rt_rw"),
        ({"accused": [accused(pangkat="Penata Muda")]}, "accused[0].pangkat"),
        ({"reporter": {"name": "Siti", "phone": "081234567890", "ktp": "x"}}, "reporter.ktp"),
        ({"witnesses": [{"name": "Rudi", "alamat": "Jl. Veteran"}]}, "witnesses[0].alamat"),
    ],
)
def test_unknown_fields_are_reported_by_name(change: dict[str, Any], field: str) -> None:
    errors = errors_of(payload(**change))
    assert {"field": field, "message": "field not allowed", "code": "extra_forbidden"} in errors


def test_required_fields() -> None:
    data = payload()
    for name in ("source", "title", "description", "occurred_at", "known_at", "location"):
        del data[name]
    del data["accused"]
    errors = errors_of(data)
    assert {e["field"] for e in errors} == {
        "source",
        "title",
        "description",
        "occurred_at",
        "known_at",
        "location",
        "accused",
    }
    assert {e["message"] for e in errors} == {"this field is required"}


def test_title_limit() -> None:
    assert len(validate(payload(title="A" * MAX_TITLE)).title) == MAX_TITLE
    errors = errors_of(payload(title="A" * (MAX_TITLE + 1)))
    assert errors == [
        {
            "field": "title",
            "message": f"must be at most {MAX_TITLE} characters",
            "code": "string_too_long",
        }
    ]


def test_description_limit_and_blank() -> None:
    fields = codes_by_field(payload(description="x" * (MAX_DESCRIPTION + 1), title="   "))
    assert fields == {"description": "string_too_long", "title": "string_too_short"}


def test_accused_count_limits() -> None:
    assert codes_by_field(payload(accused=[])) == {"accused": "too_short"}
    many = [accused(nip=None, name=f"Honorer {i}") for i in range(MAX_ACCUSED + 1)]
    assert codes_by_field(payload(accused=many)) == {"accused": "too_long"}
    assert len(validate(payload(accused=many[:MAX_ACCUSED])).accused) == MAX_ACCUSED


def test_evidence_and_witness_count_limits() -> None:
    urls = [f"https://www.instagram.com/p/C{i:04d}/" for i in range(MAX_EVIDENCE_URLS + 1)]
    witnesses = [{"name": f"Saksi {i}"} for i in range(MAX_WITNESSES + 1)]
    errors = errors_of(payload(evidence_urls=urls, witnesses=witnesses))
    assert {e["field"]: e["message"] for e in errors} == {
        "evidence_urls": f"may have at most {MAX_EVIDENCE_URLS} entries",
        "witnesses": f"may have at most {MAX_WITNESSES} entries",
    }


def test_evidence_urls_keep_the_given_form() -> None:
    urls = ["http://karokab.go.id/berita?id=12", "https://vt.tiktok.com/ZSabc123"]
    assert validate(payload(evidence_urls=urls)).evidence_urls == urls


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://files.example.go.id/foto.jpg", "url_scheme"),
        ("javascript:alert(1)", "url_scheme"),
        ("file:///C:/Users/staf/foto.jpg", "url_scheme"),
        ("www.facebook.com/bupati", "url_parsing"),
        ("https://", "url_parsing"),
    ],
)
def test_evidence_urls_must_be_http(url: str, code: str) -> None:
    errors = errors_of(payload(evidence_urls=["https://www.youtube.com/watch?v=abc", url]))
    assert [(e["field"], e["code"]) for e in errors] == [("evidence_urls[1]", code)]


def test_evidence_url_length_limit() -> None:
    base = "https://www.facebook.com/p/"
    ok = base + "a" * (MAX_URL - len(base))
    assert validate(payload(evidence_urls=[ok])).evidence_urls == [ok]
    assert codes_by_field(payload(evidence_urls=[ok + "a"])) == {
        "evidence_urls[0]": "string_too_long"
    }


@pytest.mark.parametrize("code", ["1206", "12.6", "12.06.01", "ab.cd", "12-06"])
def test_region_code_format(code: str) -> None:
    errors = errors_of(payload(region_code=code))
    assert [(e["field"], e["code"]) for e in errors] == [("region_code", "region_code")]
    assert "12.06" in errors[0]["message"]


# -------------------------------------------------------------------------- accused


def test_pns_nip_gets_the_full_check() -> None:
    errors = errors_of(payload(accused=[accused(), accused(nip="19860926 201513 1 001")]))
    assert [(e["field"], e["code"]) for e in errors] == [("accused[1].nip", "nip_appointment")]
    assert "appointment month" in errors[0]["message"]


def test_pppk_nip_gets_only_the_shape_check() -> None:
    sub = validate(
        payload(
            accused=[
                accused(
                    name="Maria Br Tarigan",
                    employment_type="PPPK",
                    nip="19850312 2023 21 2 005",
                    position="Guru SD Negeri",
                )
            ]
        )
    )
    assert sub.accused[0].nip == "198503122023212005"


def test_a_nip_given_for_a_non_asn_accused_is_refused_on_that_accused() -> None:
    pns = accused()
    honorer = accused(employment_type="NON_ASN", nip="198503122023212005", position="Honorer")
    assert codes_by_field(payload(accused=[pns, honorer])) == {"accused[1].nip": "nip_not_asn"}
    without = accused(employment_type="NON_ASN", nip=None, position="Tenaga honorer")
    assert validate(payload(accused=[without])).accused[0].nip is None


def test_nip_shape_is_checked_even_when_employment_type_is_wrong() -> None:
    fields = codes_by_field(payload(accused=[accused(employment_type="HONORER", nip="12345")]))
    assert fields == {
        "accused[0].employment_type": "literal_error",
        "accused[0].nip": "nip_invalid",
    }


def test_nip_given_as_number_is_rejected() -> None:
    fields = codes_by_field(payload(accused=[accused(nip=198609262015051001)]))
    assert fields == {"accused[0].nip": "string_type"}


def test_nip_today_is_the_regency_date() -> None:
    # 30 Nov 20:00 UTC is already 1 Dec in Karo (WIB), so a December appointment is not future.
    late_evening = datetime(2024, 11, 30, 20, 0, tzinfo=UTC)
    data = payload(accused=[accused(nip="19960101 202412 1 003")])
    assert validate(data, now=late_evening, tz=WIB).accused[0].nip == "199601012024121003"
    fields = codes_by_field(data, now=late_evening, tz=ZoneInfo("UTC"))
    assert fields == {"accused[0].nip": "nip_appointment"}


def test_models_refuse_to_validate_without_a_clock() -> None:
    with pytest.raises(RuntimeError, match="validate_submission"):
        Accused.model_validate(accused())
    with pytest.raises(RuntimeError, match="validate_submission"):
        CaseSubmission.model_validate(payload())


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        validate_submission(payload(), now=datetime(2024, 11, 21, 10, 0), tz=WIB)


# ------------------------------------------------------------------ reporter, witness


def test_anonymous_reporter_without_identity() -> None:
    sub = validate(payload(reporter={"anonymous": True}))
    assert sub.reporter is not None
    assert sub.reporter.anonymous is True
    assert (sub.reporter.name, sub.reporter.phone, sub.reporter.email) == (None, None, None)


def test_anonymous_reporter_with_blank_form_fields() -> None:
    sub = validate(payload(reporter={"anonymous": True, "name": "", "phone": " ", "email": ""}))
    assert sub.reporter is not None
    assert sub.reporter.name is None


def test_anonymous_reporter_must_not_carry_identity() -> None:
    errors = errors_of(
        payload(reporter={"anonymous": True, "name": "Siti", "email": "siti@example.go.id"})
    )
    assert len(errors) == 1
    assert errors[0]["field"] == "reporter"
    assert errors[0]["code"] == "anonymous_with_identity"
    assert "no identity" in errors[0]["message"]
    assert "name, email" in errors[0]["message"]


@pytest.mark.parametrize(
    "reporter",
    [
        {"name": "Siti Rahayu"},
        {"phone": "081234567890"},
        {"email": "siti.rahayu@example.go.id"},
        {"name": "", "phone": "081234567890"},
        {},
    ],
)
def test_named_reporter_needs_name_and_a_contact(reporter: dict[str, Any]) -> None:
    assert codes_by_field(payload(reporter=reporter)) == {"reporter": "reporter_incomplete"}


def test_named_reporter_with_email_only() -> None:
    sub = validate(
        payload(reporter={"name": "Agus Salim", "email": "Agus@Kutaikartanegarakab.GO.ID"})
    )
    assert sub.reporter is not None
    assert sub.reporter.email == "Agus@kutaikartanegarakab.go.id"
    assert sub.reporter.phone is None


def test_reporter_contact_formats() -> None:
    fields = codes_by_field(
        payload(reporter={"name": "Siti", "phone": "(0628) 20123", "email": "siti@localhost"})
    )
    assert fields == {"reporter.phone": "phone_not_mobile", "reporter.email": "email_invalid"}


def test_witness_phone_is_checked() -> None:
    data = payload(witnesses=[{"name": "Rudi"}, {"name": "Ani", "phone": "+60 12-345 6789"}])
    assert codes_by_field(data) == {"witnesses[1].phone": "phone_not_indonesian"}


# ------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("2024-11-20", WIB, datetime(2024, 11, 19, 17, 0, tzinfo=UTC)),
        ("2024-11-20", WITA, datetime(2024, 11, 19, 16, 0, tzinfo=UTC)),
        ("2024-11-20T14:30", WIB, datetime(2024, 11, 20, 7, 30, tzinfo=UTC)),
        ("2024-11-20 14:30:00", WITA, datetime(2024, 11, 20, 6, 30, tzinfo=UTC)),
        ("2024-11-20T14:30:00+09:00", WIB, datetime(2024, 11, 20, 5, 30, tzinfo=UTC)),
        ("2024-11-20T07:30:00Z", WITA, datetime(2024, 11, 20, 7, 30, tzinfo=UTC)),
        (date(2024, 11, 20), WIB, datetime(2024, 11, 19, 17, 0, tzinfo=UTC)),
        (datetime(2024, 11, 20, 14, 30), WIB, datetime(2024, 11, 20, 7, 30, tzinfo=UTC)),
    ],
)
def test_dates_are_read_in_the_regency_zone_and_stored_in_utc(
    value: object, tz: ZoneInfo, expected: datetime
) -> None:
    sub = validate(payload(occurred_at=value, known_at="2024-11-20T20:00"), tz=tz)
    assert sub.occurred_at == expected
    assert sub.occurred_at.utcoffset() == timedelta(0)
    assert sub.known_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("20241120", "datetime_format"),  # pydantic would read a Unix timestamp
        ("1732060800", "datetime_format"),
        (1732060800, "datetime_format"),
        ("20/11/2024", "datetime_format"),
        ("kemarin", "datetime_format"),
        ("2024-02-30", "datetime_from_date_parsing"),
        ("2024-11-20T25:00", "datetime_from_date_parsing"),
    ],
)
def test_dates_must_be_iso(value: object, code: str) -> None:
    errors = errors_of(payload(occurred_at=value))
    assert [(e["field"], e["code"]) for e in errors] == [("occurred_at", code)]


def test_future_dates_are_rejected_beyond_clock_skew() -> None:
    ahead = (NOW + CLOCK_SKEW + timedelta(seconds=1)).isoformat()
    assert codes_by_field(payload(occurred_at=ahead, known_at=ahead)) == {
        "occurred_at": "date_in_future",
        "known_at": "date_in_future",
    }
    assert codes_by_field(payload(known_at="2024-11-22")) == {"known_at": "date_in_future"}


def test_clock_skew_is_tolerated() -> None:
    within = (NOW + CLOCK_SKEW).isoformat()
    sub = validate(payload(occurred_at=within, known_at=within))
    assert sub.known_at == NOW + CLOCK_SKEW


def test_today_as_plain_date_is_not_future() -> None:
    sub = validate(payload(occurred_at="2024-11-21", known_at="2024-11-21"))
    assert sub.known_at == datetime(2024, 11, 20, 17, 0, tzinfo=UTC)


def test_known_before_occurred_is_rejected() -> None:
    errors = errors_of(payload(occurred_at="2024-11-19T10:00", known_at="2024-11-19T09:59"))
    assert [(e["field"], e["code"]) for e in errors] == [("known_at", "known_before_occurred")]
    fields = codes_by_field(payload(occurred_at="2024-11-19", known_at="2024-11-18"))
    assert fields == {"known_at": "known_before_occurred"}


def test_plain_known_date_covers_the_whole_day() -> None:
    sub = validate(payload(occurred_at="2024-11-19T14:30", known_at="2024-11-19"))
    assert sub.known_at < sub.occurred_at  # midnight, yet the same day is not "before"


def test_known_time_on_the_day_of_a_plain_occurred_date() -> None:
    sub = validate(payload(occurred_at="2024-11-19", known_at="2024-11-19T00:05"))
    assert sub.known_at > sub.occurred_at


# ------------------------------------------------------------------------ late filing


@pytest.mark.parametrize(
    ("submitted_local", "late"),
    [
        (datetime(2024, 11, 19, 8, 0), False),
        (datetime(2024, 11, 26, 23, 59), False),  # 7th day after 19 Nov, still on time
        (datetime(2024, 11, 27, 0, 1), True),
        (datetime(2024, 12, 2, 9, 0), True),
    ],
)
def test_late_filing_counts_calendar_days_in_the_regency(
    submitted_local: datetime, late: bool
) -> None:
    sub = validate(payload(known_at="2024-11-19"), now=datetime(2024, 12, 2, 3, 0, tzinfo=UTC))
    submitted = submitted_local.replace(tzinfo=WIB)
    assert is_late_filing(sub, submitted, tz=WIB) is late


def test_late_filing_window_can_change() -> None:
    sub = validate(payload(known_at="2024-11-19T10:00"))
    submitted = datetime(2024, 11, 21, 10, 0, tzinfo=WIB)
    assert is_late_filing(sub, submitted, 1, tz=WIB) is True
    assert is_late_filing(sub, submitted, 2, tz=WIB) is False


def test_late_filing_needs_aware_submission_time() -> None:
    sub = validate(payload())
    with pytest.raises(ValueError, match="timezone-aware"):
        is_late_filing(sub, datetime(2024, 11, 21, 10, 0))


# ------------------------------------------------------------------------ error report


def test_several_errors_at_once() -> None:
    data = payload(
        source="sosmed",
        title="",
        occurred_at="2024-11-19",
        known_at="2024-11-18",
        location={"text": "Tenggarong", "kelurahan": "Timbau"},
        accused=[
            accused(),
            accused(name="Hj. Rahmawati", nip="19900315 201903 3 004", position="Camat"),
        ],
        reporter={"anonymous": False, "name": "Agus", "phone": "0541 661234"},
        evidence_urls=["https://www.facebook.com/a", "ftp://files.example.go.id/b.mp4"],
        witnesses=[{"name": "Yusuf", "phone": "0813-500-12"}],
        region_code="6402",
        nik="6402011203850001",
    )
    errors = errors_of(data, tz=WITA)
    by_field = {e["field"]: e for e in errors}
    assert set(by_field) == {
        "source",
        "title",
        "known_at",
        "location.kelurahan",
        "accused[1].nip",
        "reporter.phone",
        "evidence_urls[1]",
        "witnesses[0].phone",
        "region_code",
        "nik",
    }
    assert by_field["accused[1].nip"]["code"] == "nip_sex"
    assert by_field["location.kelurahan"]["message"] == "field not allowed"
    assert by_field["witnesses[0].phone"]["code"] == "phone_too_short"
    for error in errors:
        assert set(error) == {"field", "message", "code"}
        assert error["message"]
        assert not error["message"].startswith(("Value error", "Assertion failed"))
        assert "pydantic" not in error["message"]
        assert "http" not in error["message"] or error["code"] == "url_scheme"


def test_payload_that_is_not_an_object() -> None:
    errors = errors_of(["bukan", "objek"])
    assert errors == [{"field": "", "message": "must be an object", "code": "model_type"}]


def test_validation_error_text_hides_personal_data() -> None:
    with pytest.raises(ValidationError) as info:
        validate(payload(reporter={"name": "Siti Rahayu", "phone": "0541 661234"}))
    assert "661234" not in str(info.value)


# ------------------------------------------------------------------- schema, constants


def test_json_schema_quotes_the_limits() -> None:
    schema = json_schema()
    props = schema["properties"]
    assert props["title"]["maxLength"] == MAX_TITLE
    assert props["description"]["maxLength"] == MAX_DESCRIPTION
    assert props["accused"]["minItems"] == 1
    assert props["accused"]["maxItems"] == MAX_ACCUSED
    assert props["evidence_urls"]["maxItems"] == MAX_EVIDENCE_URLS
    assert props["evidence_urls"]["items"]["maxLength"] == MAX_URL
    assert props["witnesses"]["maxItems"] == MAX_WITNESSES
    assert {"format": "date", "type": "string"} in props["occurred_at"]["anyOf"]
    assert {"format": "date-time", "type": "string"} in props["known_at"]["anyOf"]
    assert schema["additionalProperties"] is False
    for name, definition in schema["$defs"].items():
        assert definition["additionalProperties"] is False, name
    assert set(schema["$defs"]["Accused"]["properties"]["employment_type"]["enum"]) == {
        "PNS",
        "PPPK",
        "NON_ASN",
    }


def test_limits_table_matches_the_constants() -> None:
    assert LIMITS["title"] == MAX_TITLE
    assert LIMITS["evidence_url"] == MAX_URL
    assert LIMITS["batch"] == MAX_BATCH == 100
    assert all(isinstance(v, int) and v > 0 for v in LIMITS.values())


def test_validation_does_not_change_the_payload() -> None:
    data = payload()
    before = copy.deepcopy(data)
    validate(data)
    assert data == before


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1999-12-31", "0001-01-01"],
)
def test_dates_at_the_ends_of_the_calendar_are_field_errors(moment: str) -> None:
    """Found by fuzzing: such a date once overflowed into a server error."""
    with pytest.raises(ValidationError) as caught:
        validate(payload(occurred_at=moment, known_at=moment))
    fields = {e["field"] for e in field_errors(caught.value)}
    assert "occurred_at" in fields
