"""The report form's boxes as intake's report, and intake's refusals back on the boxes."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from flask import Flask

from services.console.public import payload
from services.console.public.dates import DateProblem, parse_day
from services.console.public.files import pick, refusal_message
from services.console.public.forms import ReportForm

TODAY = date(2024, 11, 28)


def boxes(**overrides: str) -> dict[str, Any]:
    data = {
        "region": "12.06",
        "location": "Lapangan Samura, Kabanjahe",
        "description": "Camat memakai mobil dinas untuk mengantar relawan paslon.",
        "links": "",
        "occurred_day": "25",
        "occurred_month": "11",
        "occurred_year": "2024",
        "known_day": "26",
        "known_month": "11",
        "known_year": "2024",
        "identity": "confidential",
        "reporter_name": "Siti Rahmawati",
        "reporter_phone": "0812 6000 1234",
        "reporter_email": "",
    }
    for i in (1, 2, 3):
        for part in ("name", "nip", "agency", "position", "employment"):
            data[f"person{i}_{part}"] = ""
    data.update(overrides)
    return data


def messages(built: payload.Built) -> dict[str, str]:
    return {name: str(message) for name, message in built.errors.items()}


def test_a_filled_form_becomes_the_report_intake_takes() -> None:
    built = payload.build(
        boxes(
            person1_agency=" Kantor Camat Kabanjahe ",
            person1_position="Camat",
            person2_name="Rudi Ginting",
            person2_employment="PNS",
            person2_nip="19860926 201505 1 001",
            links="https://www.facebook.com/share/p/abc123/\n\n https://youtu.be/x1 \n",
        ),
        today=TODAY,
        language="en",
    )
    assert built.errors == {}
    assert built.payload == {
        "region_code": "12.06",
        "description": "Camat memakai mobil dinas untuk mengantar relawan paslon.",
        "occurred_on": "2024-11-25",
        "known_on": "2024-11-26",
        "location": {"text": "Lapangan Samura, Kabanjahe"},
        "people": [
            {"agency": "Kantor Camat Kabanjahe", "position": "Camat"},
            {"name": "Rudi Ginting", "nip": "19860926 201505 1 001", "employment_type": "PNS"},
        ],
        "evidence_urls": ["https://www.facebook.com/share/p/abc123/", "https://youtu.be/x1"],
        "reporter": {
            "anonymous": False,
            "confidential": True,
            "name": "Siti Rahmawati",
            "phone": "+6281260001234",
        },
        "language": "en",
    }


def test_an_anonymous_report_carries_nothing_of_the_reporter_and_refuses_contact_data() -> None:
    clean = payload.build(
        boxes(identity="anonymous", reporter_name="", reporter_phone=""), today=TODAY, language="id"
    )
    assert clean.errors == {}
    assert clean.payload["reporter"] == {"anonymous": True}
    typed = payload.build(
        boxes(identity="anonymous", reporter_email="a@b.id"), today=TODAY, language="id"
    )
    assert set(typed.errors) == {"reporter_name", "reporter_phone", "reporter_email"}
    assert typed.payload["reporter"] == {"anonymous": True}


def test_a_confidential_reporter_needs_a_name_and_a_way_to_be_reached() -> None:
    built = payload.build(
        boxes(reporter_name="", reporter_phone="", reporter_email=""), today=TODAY, language="id"
    )
    assert set(built.errors) == {"reporter_name", "reporter_phone"}
    wrong = payload.build(
        boxes(reporter_phone="12345", reporter_email="siti@"), today=TODAY, language="id"
    )
    assert set(wrong.errors) == {"reporter_phone", "reporter_email"}


@pytest.mark.parametrize(
    ("parts", "box", "words"),
    [
        (("", "", ""), "occurred_day", "Tanggal kejadian: isi tanggal, bulan dan tahun"),
        (("25", "", "2024"), "occurred_month", "Tanggal kejadian: isi bulan"),
        (("2x", "11", "2024"), "occurred_day", "dengan angka"),
        (("31", "2", "2024"), "occurred_day", "tidak ada di kalender"),
        (("1", "13", "2024"), "occurred_month", "tidak ada di kalender"),
        (("1", "1", "24"), "occurred_year", "4 angka"),
        (("1", "1", "1999"), "occurred_year", "tahun 2000"),
        (("29", "11", "2024"), "occurred_day", "sesudah hari ini"),
    ],
)
def test_each_wrong_date_marks_the_box_to_fix(
    parts: tuple[str, str, str], box: str, words: str
) -> None:
    day, month, year = parts
    built = payload.build(
        boxes(occurred_day=day, occurred_month=month, occurred_year=year),
        today=TODAY,
        language="id",
    )
    assert box in built.errors
    assert words in str(built.errors[box])
    assert built.payload["occurred_on"] is None


def test_two_dates_left_empty_are_told_apart() -> None:
    # The error summary lists every message: each must say which date it is about.
    built = payload.build(
        boxes(occurred_day="", occurred_month="", occurred_year="", known_year="24"),
        today=TODAY,
        language="id",
    )
    assert messages(built) == {
        "occurred_day": "Tanggal kejadian: isi tanggal, bulan dan tahun.",
        "known_year": "Tanggal Anda mengetahuinya: tulis tahun dengan 4 angka, misalnya 2024.",
    }


def test_a_box_typed_past_its_size_is_judged_by_the_date_it_makes(app: Flask) -> None:
    # A pasted or scripted "123" gets past the box's maxlength: the message names the date.
    data = boxes(occurred_day="123")
    with app.test_request_context(method="POST", data=data):
        form = ReportForm()
        form.region.choices = [("12.06", "Karo")]
        form.validate()
        assert form.occurred_day.errors == []
        assert 'maxlength="2"' in form.occurred_day()
    built = payload.build(data, today=TODAY, language="id")
    assert messages(built) == {
        "occurred_day": "Tanggal kejadian: tanggal ini tidak ada di kalender."
    }


def test_known_before_it_happened_is_marked_on_the_known_date() -> None:
    built = payload.build(boxes(known_day="20"), today=TODAY, language="id")
    assert set(built.errors) == {"known_day"}


def test_links_and_nips_are_checked_box_by_box() -> None:
    built = payload.build(
        boxes(
            links="facebook.com/grup\nhttps://ok.example/x",
            person1_name="Rudi",
            person1_nip="1234",
            person2_name="Maria",
            person2_employment="PNS",
            person2_nip="201505260926100001",  # 18 digits, but no PNS birth date
        ),
        today=TODAY,
        language="id",
    )
    assert set(built.errors) == {"links", "person1_nip", "person2_nip"}
    many = payload.build(
        boxes(links="\n".join(f"https://x.example/{i}" for i in range(25))),
        today=TODAY,
        language="id",
    )
    assert "links" in many.errors
    assert len(many.payload["evidence_urls"]) == payload.MAX_LINKS


def test_intake_refusals_land_on_their_boxes() -> None:
    assert payload.box_of("occurred_on") == "occurred_day"
    assert payload.box_of("people[1].nip") == "person2_nip"
    assert payload.box_of("people[0]") == "person1_name"
    assert payload.box_of("people[0].employment_type") == "person1_employment"
    assert payload.box_of("evidence_urls[3]") == "links"
    assert payload.box_of("reporter") == "reporter_name"
    assert payload.box_of("file[2]") == "evidence"
    assert payload.box_of("people[7].nip") is None
    marks, stray = payload.marks_for(
        [{"field": "location.text"}, {"field": "reporter.phone"}, {"field": ""}]
    )
    assert set(marks) == {"location", "reporter_phone"}
    assert stray


def test_three_boxes_make_a_date() -> None:
    assert parse_day("5", "1", "2024", today=TODAY, subject="Tanggal") == date(2024, 1, 5)
    with pytest.raises(DateProblem) as problem:
        parse_day("30", "2", "2024", today=TODAY, subject="Tanggal")
    assert problem.value.part == "day"


class Storage:
    """A chosen file as the form parser hands it over."""

    def __init__(self, name: str, size: int) -> None:
        self.filename = name
        self.stream = io.BytesIO(b"x" * size)
        self.mimetype = "image/jpeg"

    def __bool__(self) -> bool:
        return True


def test_files_are_counted_and_measured_before_they_are_passed_on() -> None:
    picked, problem = pick([Storage("a.jpg", 10), Storage("", 0)], 100)  # type: ignore[list-item]
    assert problem is None
    assert [p.name for p in picked] == ["a.jpg"]
    _, too_big = pick([Storage("besar.jpg", 101)], 100)  # type: ignore[list-item]
    assert too_big is not None
    assert "besar.jpg" in too_big
    _, too_many = pick([Storage(f"{i}.jpg", 1) for i in range(6)], 100)  # type: ignore[misc]
    assert too_many is not None
    assert "5" in too_many
    _, empty = pick([Storage("kosong.jpg", 0)], 100)  # type: ignore[list-item]
    assert empty is not None
    assert "kosong" in empty


def test_intakes_file_refusals_are_said_in_words_naming_the_limit_or_the_types() -> None:
    odd = refusal_message(
        [{"field": "file[0]", "filename": "x.exe", "code": "unsupported_type"}], 20 * 1_048_576
    )
    assert odd is not None
    assert "x.exe" in odd
    assert "PDF" in odd
    big = refusal_message(
        [{"field": "file[1]", "filename": "v.mp4", "code": "file_too_large"}], 20 * 1_048_576
    )
    assert big is not None
    assert "20 MB" in big
    assert refusal_message([{"field": "description"}], 1) is None


def test_a_nip_for_honorer_staff_is_marked_on_its_box_with_the_reason() -> None:
    built = payload.build(
        boxes(person1_name="Dedi", person1_employment="NON_ASN", person1_nip="198503122023212005"),
        today=TODAY,
        language="id",
    )
    assert messages(built) == {
        "person1_nip": "Honorer/non-ASN tidak punya NIP. Kosongkan kolom ini, atau pilih PPPK "
        "bila nomor ini NI PPPK-nya."
    }
