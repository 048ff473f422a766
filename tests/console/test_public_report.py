"""A citizen reports through the public pages without JavaScript, and an officer works the
report in the console: the photo reaches them cleaned, the reporter only as a pseudonym;
their question reaches the citizen's tracking page, the answer resumes the clock and alerts
the officer. Each test calls from its own loopback address, so limits stay per test."""

from __future__ import annotations

import io
import json
from typing import Any

import requests
from PIL import Image

from services.intake.access.models import ReporterRecord
from services.intake.cases.models import Case
from tests.support.builders import plain_text
from tests.support.pages import PageClient, text
from tests.support.public_forms import (
    GPS_IFD,
    citizen_at,
    form_keys,
    hidden,
    photo_with_gps,
    report_fields,
    send_report,
    tracking_code,
)
from tests.support.suite import Suite
from tests.support.waiting import eventually

PASSWORD = "kopi tubruk manis pagi"


def case_of(code: str) -> dict[str, Any]:
    doc: dict[str, Any] | None = Case._get_collection().find_one({"tracking_code": code})
    assert doc is not None, code
    return doc


def triage_view(suite: Suite, key: str, case_id: str) -> dict[str, Any] | None:
    answer = requests.get(
        f"{suite.urls['triage']}/v1/cases/{case_id}/triage",
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )
    return answer.json() if answer.status_code == 200 else None


def supervisor(suite: Suite, officer_id: str) -> PageClient:
    """A supervisor of Karo signed in to the console (second factor set up)."""
    suite.person(officer_id, role="supervisor")
    person = PageClient(suite.urls["console"])
    enrol = person.accept_invitation(suite.invitation(officer_id), PASSWORD)
    assert enrol.status_code == 200, text(enrol)
    person.enrol_second_factor()
    landed = person.last
    assert landed is not None
    assert landed.url.endswith("/kasus"), landed.url
    return person


def test_a_confidential_report_reaches_the_officer_cleaned_and_the_answer_restarts_the_clock(
    console_suite: Suite,
) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.31")
    description = (
        "Camat Kabanjahe memakai mobil dinas plat merah BK 1021 untuk mengantar relawan "
        "pasangan calon ke rapat umum di lapangan Samura pada hari kerja."
    )
    sent = send_report(
        citizen,
        report_fields(description),
        files=[("evidence", ("IMG_20241120.jpg", photo_with_gps(), "image/jpeg"))],
    )
    assert sent.status_code == 200, text(sent)[:600]
    assert sent.headers["Cache-Control"] == "no-store"
    code = tracking_code(sent)
    assert "Simpan kode ini" in text(sent)
    assert "1 berkas bukti tersimpan" in text(sent)
    case = case_of(code)
    case_id = str(case["_id"])
    assert (case["source"], case["status"], case["unverified"]) == ("public", "received", True)
    assert ReporterRecord._get_collection().count_documents({"_id": case["_id"]}) == 1

    # The receipt went to the contact the citizen gave.
    eventually(
        lambda: any(
            m["To"] == "siti.rahmawati@contoh.id" and code in plain_text(m)
            for m in console_suite.mail.messages
        ),
        timeout=30,
    )

    key = console_suite.key("12.06", "supervisor")
    decision = eventually(lambda: triage_view(console_suite, key, case_id), timeout=30)
    assignee = (decision.get("assignment") or {}).get("officer_id")
    assert assignee, decision

    boss = supervisor(console_suite, "public-supervisor-1")
    page = boss.get(f"/kasus/{case_id}")
    assert page.status_code == 200, text(page)[:300]
    shown = text(page)
    assert case["reporter"]["pseudonym"] in shown
    assert "Siti" not in shown
    assert "6000-1234" not in shown
    assert "60001234" not in shown
    evidence_id = case["evidence"][0]["id"]
    photo = boss.get(f"/kasus/{case_id}/bukti/{evidence_id}")
    assert photo.status_code == 200
    with Image.open(io.BytesIO(photo.content)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD)
        assert 0x010F not in exif
        assert 0x0110 not in exif

    question = "Pukul berapa mobil itu terlihat, dan apakah Anda memotret pelat nomornya?"
    asked = boss.post(
        f"/kasus/{case_id}/tindakan/information",
        {"version": hidden(page.text, "version"), "loaded_at": "", "question": question},
        token_from=f"/kasus/{case_id}",
    )
    assert asked.status_code == 200, text(asked)[:300]
    assert case_of(code)["status"] == "awaiting_info"
    eventually(lambda: (triage_view(console_suite, key, case_id) or {})["clock"]["paused"], 30)

    status = citizen.get(f"/lacak/{code}")
    assert status.status_code == 200
    assert question in text(status)
    assert "Menunggu jawaban Anda" in text(status) or "keterangan tambahan" in text(status)
    answered = citizen.post(
        f"/lacak/{code}",
        {
            "text": "Sekitar pukul 10 pagi; foto pelat ada di berkas yang saya kirim.",
            "sending": hidden(status.text, "sending"),
            "kosongkan": "",
        },
    )
    assert answered.status_code == 200, text(answered)[:300]
    assert "Jawaban Anda terkirim" in text(answered)
    assert "Jawaban Anda" in text(answered)
    assert "Jawab pertanyaan petugas" not in text(answered)

    assert case_of(code)["status"] == "received"
    eventually(lambda: not (triage_view(console_suite, key, case_id) or {})["clock"]["paused"], 30)
    alert = eventually(
        lambda: next(
            (
                m
                for m in console_suite.mail.messages
                if "Pelapor menjawab" in str(m["Subject"]) and code in plain_text(m)
            ),
            None,
        ),
        timeout=30,
    )
    assert f"{console_suite.urls['console']}/kasus/{case_id}" in plain_text(alert)
    assert "10 pagi" not in plain_text(alert)  # the answer itself stays in the console
    worked = boss.get(f"/kasus/{case_id}")
    assert "Sekitar pukul 10 pagi" in text(worked)


def test_an_anonymous_report_keeps_nothing_of_the_reporter(console_suite: Suite) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.32")
    description = (
        "Kepala sekolah SD negeri di Berastagi mengumpulkan fotokopi KTP para guru honorer "
        "untuk surat dukungan salah satu bakal calon bupati."
    )
    fields = report_fields(description, identity="anonymous")
    refused = send_report(citizen, fields)
    assert refused.status_code == 422
    page = text(refused)
    assert "Laporan anonim tidak menyimpan nama atau kontak" in page
    assert 'value="Siti Rahmawati"' in refused.text  # what was typed is kept
    assert Case._get_collection().count_documents({"description": description}) == 0

    fields.update(reporter_name="", reporter_phone="", reporter_email="")
    sent = send_report(citizen, fields)
    assert sent.status_code == 200, text(sent)[:600]
    assert "kode ini satu-satunya jalan" in text(sent)
    case = case_of(tracking_code(sent))
    assert case["reporter"] == {"anonymous": True, "confidential": True, "pseudonym": None}
    assert ReporterRecord._get_collection().count_documents({"_id": case["_id"]}) == 0
    assert "Siti" not in json.dumps(case, default=str)
    assert "case.receipt_requested" not in json.dumps(case.get("outbox", []))


def test_the_same_form_sent_twice_files_one_case(console_suite: Suite) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.33")
    description = (
        "Lurah Gung Negeri membagikan sembako bergambar pasangan calon kepada warga di balai "
        "kelurahan sambil mengajak memilih nomor urut satu."
    )
    fields = {**report_fields(description), **form_keys(citizen)}
    first = citizen.post("/lapor", fields)
    # The button pressed twice, or the page sent again after a timeout.
    again = citizen.post("/lapor", fields, token_from="/lapor")
    assert first.status_code == again.status_code == 200, text(again)[:600]
    assert tracking_code(first) == tracking_code(again)
    assert Case._get_collection().count_documents({"description": description}) == 1


def test_each_problem_is_shown_beside_its_box_and_nothing_is_filed(console_suite: Suite) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.34")
    fields = report_fields(
        "singkat",
        location="Desa Lingga, Simpang Empat",
        occurred_day="31",
        occurred_month="2",
        known_year="24",
        links="facebook saja",
        person1_nip="1234",
        reporter_phone="",
        reporter_email="",
    )
    page = send_report(
        citizen,
        fields,
        files=[("evidence", ("bukti.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))],
    )
    assert page.status_code == 422
    shown = text(page)
    for message in (
        "Ada yang perlu diperbaiki",
        "Ceritakan dalam 20 sampai 10.000 karakter",
        "Tanggal kejadian: tanggal ini tidak ada di kalender",
        "Tanggal Anda mengetahuinya: tulis tahun dengan 4 angka",
        "Tulis alamat lengkap yang diawali https://",
        "NIP terdiri dari 18 angka",
        "Isi nomor HP atau e-mail",
        "Pilih lagi berkas Anda",
    ):
        assert message in shown, message
    assert 'value="Desa Lingga, Simpang Empat"' in page.text
    assert 'href="#occurred_day"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert Case._get_collection().count_documents({"location.text": fields["location"]}) == 0


def test_a_control_character_and_a_nip_for_honorer_staff_are_marked_beside_their_boxes(
    console_suite: Suite,
) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.43")
    location = "Desa Lingga\u202e, Simpang Empat"
    fields = report_fields(
        "Honorer kantor camat membagikan stiker paslon kepada warga di pasar Kabanjahe.",
        location=location,
        person1_name="Dedi",
        person1_employment="NON_ASN",
        person1_nip="198503122023212005",
    )
    page = send_report(citizen, fields)
    assert page.status_code == 422
    shown = text(page)
    assert "Berisi karakter kendali (U+202E)" in shown
    assert "Honorer/non-ASN tidak punya NIP" in shown
    assert f'value="{location}"' in page.text, "what was typed is kept for a second try"
    assert 'href="#location"' in page.text
    assert 'href="#person1_nip"' in page.text
    assert Case._get_collection().count_documents({"location.text": location}) == 0


def test_files_are_refused_with_the_limit_or_the_types_named(console_suite: Suite) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.35")
    description = (
        "Sekretaris dinas pertanian memasang baliho pasangan calon di pagar kantor dinas "
        "Kabanjahe dan memakai kaos tim pemenangan saat jam kerja."
    )
    oversize = b"\xff\xd8\xff" + b"0" * (20 * 1_048_576 + 10)
    large = send_report(
        citizen,
        report_fields(description),
        files=[("evidence", ("video.jpg", oversize, "image/jpeg"))],
    )
    assert large.status_code == 422
    assert "lebih besar dari 20 MB" in text(large)
    odd = send_report(
        citizen,
        report_fields(description),
        files=[
            ("evidence", ("pasang.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/x-msdownload"))
        ],
    )
    assert odd.status_code == 415
    assert "tidak diterima" in text(odd)
    assert "PDF" in text(odd)
    assert Case._get_collection().count_documents({"description": description}) == 0


def test_a_wrong_answer_keeps_the_report_and_asks_again(console_suite: Suite) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.36")
    description = (
        "Camat Tigapanah hadir di deklarasi pasangan calon dan berpose salam dua jari di "
        "panggung bersama tim pemenangan."
    )
    keys = form_keys(citizen)
    wrong = citizen.post(
        "/lapor", {**report_fields(description), **keys, "check_answer": "seratus"}
    )
    assert wrong.status_code == 422
    assert "Jawaban belum benar" in text(wrong)
    assert description in wrong.text
    assert hidden(wrong.text, "challenge") != keys["challenge"]  # a new question to answer
    assert Case._get_collection().count_documents({"description": description}) == 0


def test_a_filled_trap_is_refused_and_nothing_is_filed(console_suite: Suite) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.37")
    description = (
        "Akun palsu menyebarkan kabar bohong bahwa pemungutan suara di Karo diundur sampai "
        "bulan depan karena banjir."
    )
    page = send_report(citizen, report_fields(description, kosongkan="https://spam.example"))
    assert page.status_code == 400
    assert "Kiriman tidak diterima" in text(page)
    assert Case._get_collection().count_documents({"description": description}) == 0


def test_a_report_when_intake_is_down_is_not_sent_and_files_once_when_sent_again(
    console_suite: Suite,
) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.38")
    description = (
        "Kepala desa Sukanalu mengarahkan perangkat desa memasang spanduk pasangan calon di "
        "kantor desa dan di pos ronda."
    )
    fields = {**report_fields(description), **form_keys(citizen)}
    intake = console_suite.children["intake-http"]
    intake.stop()
    intake.wait(20)
    try:
        down = citizen.post("/lapor", fields)
    finally:
        console_suite.restart("intake-http")
        eventually(lambda: _ready(console_suite.urls["intake"]), timeout=60)
    assert down.status_code == 503
    assert "Laporan belum terkirim" in text(down)
    assert description in down.text
    assert Case._get_collection().count_documents({"description": description}) == 0
    again = citizen.post("/lapor", fields)  # "Kirim laporan" pressed again, same sending
    assert again.status_code == 200, text(again)[:600]
    assert Case._get_collection().count_documents({"description": description}) == 1


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False
