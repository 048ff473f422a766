"""Bulk acknowledgement through the running suite: every case is its own change, a case a
colleague changed after the list was shown is reported and left alone, and a form that
cannot be run says why with the choice kept."""

from __future__ import annotations

import requests

from tests.console.people import assigned, distinct_case, hidden, signed_in
from tests.support.builders import case_payload
from tests.support.pages import text
from tests.support.suite import Suite


def test_a_case_changed_meanwhile_is_reported_and_the_others_are_acknowledged(
    console_suite: Suite,
) -> None:
    boss = signed_in(console_suite, "bk-boss", role="supervisor")
    key = console_suite.key("12.06", "supervisor")
    ids = []
    for word in ("satu", "dua", "tiga"):
        created = console_suite.submit(
            console_suite.key("12.06"), distinct_case(f"Massal bkack {word}")
        )
        assigned(console_suite, key, created["id"])
        ids.append(created["id"])

    queue = boss.get("/kasus?q=bkack")
    assert queue.status_code == 200
    # A colleague comments on the second case after the supervisor's list was drawn.
    colleague = requests.post(
        f"{console_suite.urls['intake']}/v1/cases/{ids[1]}/comments",
        json={"text": "Saya sedang memeriksa kasus ini."},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert colleague.status_code == 200, colleague.text

    result = boss.post(
        "/tim/massal",
        [
            *[("case_id", case_id) for case_id in ids],
            ("action", "acknowledge"),
            ("officer_id", ""),
            ("reason", "Diterima atas nama tim"),
            ("back", hidden(queue, "back")),
            ("loaded_at", hidden(queue, "loaded_at")),
        ],
    )
    assert result.status_code == 200, text(result)[:500]
    assert result.headers["Cache-Control"] == "no-store"
    words = text(result)
    assert words.count("Selesai.") == 2
    assert "e2e 12.06 supervisor mengubah kasus ini setelah Anda membuka daftarnya" in words
    assert f'href="/kasus/{ids[1]}"' in result.text

    done = [console_suite.case(key, i) for i in (ids[0], ids[2])]
    assert all(c["acknowledged_reason"] == "Diterima atas nama tim" for c in done)
    assert "acknowledged_at" not in console_suite.case(key, ids[1])

    # Sent again (a reload), nothing is done twice: intake refuses a second acknowledgement.
    again = boss.post(
        "/tim/massal",
        [("case_id", ids[0]), ("action", "acknowledge"), ("back", "/kasus")],
        token_from="/kasus",
    )
    assert "Ditolak: Sudah ditandai diterima sebelumnya." in text(again)


def test_a_form_that_cannot_run_says_why_and_keeps_the_choice(console_suite: Suite) -> None:
    boss = signed_in(console_suite, "bk-boss-2", role="supervisor")
    chosen = ["65a1f0c2e4b0a1b2c3d4e5f6", "65a1f0c2e4b0a1b2c3d4e5f7"]
    page = boss.post(
        "/tim/massal",
        [
            *[("case_id", c) for c in chosen],
            ("action", "reassign"),
            ("back", "https://evil.example/"),
        ],
        token_from="/kasus",
    )
    assert page.status_code == 422
    words = text(page)
    assert "Pilih petugas tujuan pengalihan." in words
    assert "Tulis alasan pengalihan" in words
    assert "2 kasus dipilih." in words
    assert all(f'value="{c}"' in page.text for c in chosen)
    # Only a path of the console is a way back.
    assert "evil.example" not in page.text

    nothing = boss.post("/tim/massal", [("action", "acknowledge")], token_from="/kasus")
    assert nothing.status_code == 422
    assert "Pilih minimal satu kasus" in text(nothing)

    too_many = [("case_id", f"{n:024x}") for n in range(101)]
    refused = boss.post("/tim/massal", [*too_many, ("action", "acknowledge")], token_from="/kasus")
    assert refused.status_code == 422
    assert "Paling banyak 100 kasus sekaligus; Anda memilih 101." in text(refused)


def test_cases_outside_the_area_are_reported_not_found(console_suite: Suite) -> None:
    boss = signed_in(console_suite, "bk-boss-3", role="supervisor")
    elsewhere = console_suite.submit(console_suite.key("19.02"), case_payload(title="bkother"))
    result = boss.post(
        "/tim/massal",
        [("case_id", elsewhere["id"]), ("action", "acknowledge"), ("back", "/kasus")],
        token_from="/kasus",
    )
    assert result.status_code == 200
    assert "Tidak ditemukan, atau tidak berada di wilayah Anda." in text(result)
    assert "bkother" not in text(result)
