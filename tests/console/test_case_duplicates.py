"""Marking a case as a repeat of another from the case page, naming the other by the tracking
code an officer can read off it (typed however it was heard), through the running suite."""

from __future__ import annotations

from typing import Any

from tests.console.people import assigned, distinct_case, signed_in
from tests.support.pages import text
from tests.support.suite import Suite
from tests.support.waiting import eventually


def _routed(suite: Suite, *titles: str) -> list[dict[str, Any]]:
    """Cases about different people, filed in Karo and routed by triage (never repeats of
    each other to triage: the person marks them so)."""
    key = suite.key("12.06", "supervisor")
    made = [suite.submit(suite.key("12.06"), distinct_case(title)) for title in titles]
    for created in made:
        assigned(suite, key, created["id"])
    return made


def test_a_supervisor_links_a_repeat_by_the_first_reports_tracking_code(
    console_suite: Suite,
) -> None:
    boss = signed_in(console_suite, "cd-boss", role="supervisor")
    key = console_suite.key("12.06", "supervisor")
    first, repeat = _routed(console_suite, "Sekdes cdlink baliho", "Baliho cdrepeat sekdes")
    page = f"/kasus/{repeat['id']}"

    boss.get(page)
    unknown = boss.submit(f"{page}/tindakan/duplicate", {"case_id": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    assert unknown.status_code == 422
    assert "Tidak ada kasus dengan kode lacak ini di wilayah Anda" in text(unknown)
    assert 'value="ZZZZ-ZZZZ-ZZZZ-ZZZZ"' in unknown.text  # what was typed stays

    heard = first["tracking_code"].replace("-", " ").lower()
    boss.get(page)
    linked = boss.submit(f"{page}/tindakan/duplicate", {"case_id": heard})
    assert linked.status_code == 200, text(linked)[:500]
    assert "Kasus ditautkan sebagai duplikat" in text(linked)
    # The timeline names the other case as people know it, not by its id.
    named = f"Ditautkan sebagai duplikat dengan Sekdes cdlink baliho · {first['tracking_code']}"
    assert named in text(linked)
    assert console_suite.case(key, repeat["id"])["duplicates"] == [first["id"]]


def test_closing_a_case_as_a_repeat_names_the_first_by_its_tracking_code(
    console_suite: Suite,
) -> None:
    officer_key = console_suite.key("12.06", "supervisor")
    boss = signed_in(console_suite, "cd-closer", role="supervisor")
    first, repeat = _routed(console_suite, "Kades cdclose sembako", "Sembako cdagain kades")
    page = f"/kasus/{repeat['id']}"

    boss.get(page)
    closed = boss.submit(
        f"{page}/status/duplicate",
        {"s-duplicate-duplicate_of": first["tracking_code"].lower(), "s-duplicate-note": "Sama."},
    )
    assert closed.status_code == 200, text(closed)[:500]
    assert "Status kasus diubah" in text(closed)
    stored = console_suite.case(officer_key, repeat["id"])
    assert (stored["status"], stored["duplicate_of"]) == ("duplicate", first["id"])


def test_a_possible_repeat_is_named_by_the_first_reports_title_and_code(
    console_suite: Suite,
) -> None:
    key = console_suite.key("12.06", "supervisor")
    payload = distinct_case("Camat cdnamed mengantar relawan paslon dengan mobil dinas")
    first = console_suite.submit(console_suite.key("12.06"), payload)
    assigned(console_suite, key, first["id"])
    # The same report again, from another office system: triage finds it repeats the first.
    again = console_suite.submit(console_suite.key("12.06"), {**payload, "source_ref": "cd-2"})
    triaged = eventually(
        lambda: (
            console_suite.case(key, again["id"]).get("triage", {}).get("decision_id")
            and console_suite.case(key, again["id"])["triage"]
        ),
        timeout=60,
    )
    assert triaged["duplicate_of"] == first["id"]

    eventually(
        lambda: any(
            e["kind"] == "duplicate_detected"
            for e in console_suite.case(key, again["id"])["timeline"]
        ),
        timeout=60,
    )

    boss = signed_in(console_suite, "cd-reader", role="supervisor")
    page = text(boss.get(f"/kasus/{again['id']}"))
    named = f"{payload['title']} · {first['tracking_code']}"
    assert f"Kemungkinan duplikat dari {named}" in page
    # The timeline says the same in words, and in the page's language.
    assert f"Triase menduga kasus ini duplikat dari {named}" in page
    # Triage's own explanation names it too: nowhere on the page is it a bare id.
    assert f"Duplikat dari kasus “{payload['title']}” ({first['tracking_code']})" in page
    assert first["id"] not in page
    english = text(boss.get(f"/kasus/{again['id']}?lang=en"))
    assert f"Triage suspects this case repeats {named}" in english
    assert "Case received" in english
