"""A case's timeline is worded from its entries' codes in the page's language, names the case
it links to, says who acted and why; an entry kept before its codes were shows its summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import Babel

from services.console.cases.timeline import Line, lines, related_cases

CONSOLE = Path(__file__).resolve().parents[3] / "services" / "console"
AT = "2026-11-20T03:00:00+00:00"
OTHER = "6b13c0ffee0000000000abcd"


def _app(language: str) -> Flask:
    app = Flask(__name__)
    app.config.update(BABEL_TRANSLATION_DIRECTORIES=str(CONSOLE / "translations"))
    Babel(app, locale_selector=lambda: language, timezone_selector=lambda: "Asia/Jakarta")
    return app


def _one(entry: dict[str, Any], language: str = "id") -> Line:
    with _app(language).test_request_context():
        (line,) = lines([{"at": AT, **entry}])
    return line


# Each kind as intake stores it now, and what an officer reads in each language.
WORDED: list[tuple[dict[str, Any], str, str]] = [
    (
        {"kind": "submitted", "summary": "Kasus diterima", "actor": "Sistem Kominfo",
         "late_filing": True},
        "Kasus diterima (dilaporkan lewat dari 7 hari sejak diketahui)",
        "Case received (reported more than 7 days after it became known)",
    ),
    (
        {"kind": "triaged", "summary": "Diklasifikasikan MEDSOS, prioritas high",
         "category": "MEDSOS", "priority": "high", "needs_review": True},
        "Diklasifikasikan sebagai Aktivitas media sosial mendukung calon, prioritas tinggi; "
        "perlu ditinjau petugas",
        "Classified as Social-media support for a candidate, priority high; for an officer to "
        "review",
    ),
    (
        {"kind": "assigned", "summary": "Ditugaskan ke Sari (BKPSDM)", "assignee_name": "Sari",
         "unit": "BKPSDM", "to_province": False},
        "Ditugaskan ke Sari (BKPSDM)",
        "Assigned to Sari (BKPSDM)",
    ),
    (
        {"kind": "escalated", "summary": "Eskalasi: x",
         "step": "lapor_verification@2026-11-24:breach:supervisor"},
        "Tenggat tahap verifikasi laporan terlewati; diteruskan ke atasan",
        "The report verification deadline has passed; passed on to the supervisor",
    ),
    (
        {"kind": "notification_failed", "summary": "Pemberitahuan lewat sms gagal",
         "channel": "sms", "final": True},
        "Pemberitahuan lewat SMS gagal dan tidak dicoba lagi",
        "The SMS alert failed and will not be tried again",
    ),
    (
        {"kind": "status_changed", "summary": "Status: ditolak", "from_status": "received",
         "to_status": "rejected", "reason": "Bukan ASN", "actor": "Sari"},
        "Status: Ditolak",
        "Status: Rejected",
    ),
    (
        {"kind": "transferred", "summary": "Dialihkan dari 12.06 ke 12.07",
         "from_tenant": "12.06", "to_tenant": "12", "reason": "Lokasi"},
        "Dialihkan dari Kabupaten Karo (12.06) ke Sumatera Utara (12)",
        "Transferred from Kabupaten Karo (12.06) to Sumatera Utara (12)",
    ),
    (
        {"kind": "evidence_added", "summary": "2 berkas bukti ditambahkan",
         "evidence_ids": ["a", "b"]},
        "2 berkas bukti ditambahkan",
        "2 evidence files added",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("entry", "indonesian", "english"), WORDED)
def test_each_kind_is_worded_from_its_codes_in_both_languages(
    entry: dict[str, Any], indonesian: str, english: str
) -> None:
    assert _one(entry, "id").text == indonesian
    assert _one(entry, "en").text == english


def test_who_acted_and_the_reason_they_wrote_go_with_the_line() -> None:
    line = _one(WORDED[5][0])
    assert (line.actor, line.reason) == ("Sari", "Bukan ASN")
    # The reporter's answer takes the case back to work with a reason the system set.
    answered = _one(
        {
            "kind": "information_received",
            "reason": "pelapor menjawab",
            "to_status": "verified",
            "actor": "Pelapor",
        }
    )
    assert (answered.text, answered.reason) == ("Pelapor menjawab permintaan keterangan", None)


def test_a_linked_case_is_named_by_the_page_not_by_its_id_in_the_text() -> None:
    detected = {
        "kind": "duplicate_detected",
        "summary": f"Kemungkinan duplicate dari kasus {OTHER}",
        "related_case": OTHER,
        "match": "duplicate",
    }
    line = _one(detected)
    assert line.text == "Triase menduga kasus ini duplikat dari"
    assert line.related_case == OTHER
    assert OTHER not in line.text
    related = _one({**detected, "match": "related"}, "en")
    assert related.text == "Triage found a related case:"
    linked = {"kind": "duplicate_linked", "related_case": OTHER}
    assert related_cases([{"kind": "submitted"}, detected, linked]) == [OTHER, OTHER]


def test_an_entry_kept_before_its_codes_or_of_an_unknown_kind_shows_its_summary() -> None:
    old = _one({"kind": "triaged", "summary": "Diklasifikasikan HOAKS, prioritas high"}, "en")
    assert old == Line(at=AT, text="Diklasifikasikan HOAKS, prioritas high")
    # Its related case stays in the stored summary: not drawn a second time.
    older = _one({"kind": "duplicate_detected", "summary": "Kemungkinan", "related_case": OTHER})
    assert (older.text, older.related_case) == ("Kemungkinan", None)
    assert _one({"kind": "escalated", "summary": "Eskalasi: x", "step": "???"}).text == (
        "Eskalasi: x"
    )
    assert _one({"kind": "something_new"}).text == "something_new"


def test_the_newest_moment_comes_first() -> None:
    with _app("id").test_request_context():
        drawn = lines(
            [
                {"at": "1", "kind": "submitted", "late_filing": False},
                {"at": "2", "kind": "acknowledged", "actor": "Sari"},
            ]
        )
    assert [line.text for line in drawn] == [
        "Kasus diterima petugas; pengingat berhenti",
        "Kasus diterima",
    ]


def test_an_officers_override_of_triage_says_who_changed_it_and_why() -> None:
    line = _one(
        {"kind": "triaged", "summary": "s", "category": "HOAKS", "priority": "urgent",
         "needs_review": False, "override": True, "actor": "Sari", "reason": "Bukan netralitas"},
        "en",
    )  # fmt: skip
    assert line.text == "Classification changed to Election hoax or disinformation, priority urgent"
    assert (line.actor, line.reason) == ("Sari", "Bukan netralitas")


def test_triage_announcing_the_same_decision_again_is_a_new_deadline_not_a_new_class() -> None:
    decided = {"kind": "triaged", "category": "MEDSOS", "priority": "normal", "needs_review": False}
    with _app("id").test_request_context():
        drawn = lines(
            [
                {**decided, "at": "1", "due_at": "2026-11-24T16:59:59+00:00"},
                {**decided, "at": "2", "due_at": "2026-12-01T16:59:59+00:00"},
                {**decided, "at": "3", "priority": "high", "due_at": "2026-12-01T16:59:59+00:00"},
            ]
        )
    assert [line.text for line in drawn] == [
        "Diklasifikasikan sebagai Aktivitas media sosial mendukung calon, prioritas tinggi",
        "Tenggat diperbarui: 1 Des 2026 23.59 WIB",
        "Diklasifikasikan sebagai Aktivitas media sosial mendukung calon, prioritas normal",
    ]


def test_an_assignment_sent_again_to_the_same_officer_is_no_new_assignment() -> None:
    def assigned(at: str, name: str) -> dict[str, Any]:
        return {"kind": "assigned", "at": at, "assignee_id": name.lower(), "assignee_name": name,
                "unit": "BKPSDM", "to_province": False}  # fmt: skip

    with _app("id").test_request_context():
        drawn = lines(
            [
                assigned("1", "Sari"),
                assigned("2", "Sari"),
                {
                    "kind": "reassigned",
                    "at": "3",
                    "officer_id": "budi",
                    "officer_name": "Budi",
                    "unit": "BKPSDM",
                },
                assigned("4", "Budi"),
                assigned("5", "Rina"),
            ]
        )
    assert [line.text for line in drawn] == [
        "Ditugaskan ke Rina (BKPSDM)",
        "Penugasan dikirim ulang ke Budi: belum dikonfirmasi",
        "Ditugaskan ulang ke Budi (BKPSDM)",
        "Penugasan dikirim ulang ke Sari: belum dikonfirmasi",
        "Ditugaskan ke Sari (BKPSDM)",
    ]


def test_a_resend_that_says_which_it_is_is_worded_with_its_count() -> None:
    """Entries since the count was kept say which resend they are, in the page's language,
    whoever held the case before (a resend's officer is its holder's, by construction)."""
    resent = {"kind": "assigned", "at": "2", "assignee_id": "sari", "assignee_name": "Sari",
              "unit": "BKPSDM", "to_province": False, "resend": 2}  # fmt: skip
    for language, expected in (
        ("id", "Penugasan dikirim ulang (2) ke Sari: belum dikonfirmasi"),
        ("en", "Assignment sent to Sari again (2): not acknowledged yet"),
    ):
        with _app(language).test_request_context():
            assert [line.text for line in lines([resent])] == [expected]
