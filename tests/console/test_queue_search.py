"""Finding a case by the tracking code a reporter reads out over the phone, typed however it
was heard, from the queue's search box, through the running suite."""

from __future__ import annotations

from tests.console.people import assigned, distinct_case, signed_in
from tests.support.pages import text
from tests.support.suite import Suite


def test_an_officer_finds_a_colleagues_case_by_its_tracking_code(console_suite: Suite) -> None:
    officer = signed_in(console_suite, "qs-officer", role="officer")
    created = console_suite.submit(
        console_suite.key("12.06"), distinct_case("Lurah qscode membagikan kaos paslon")
    )
    # Routed by triage to whoever is on duty: not necessarily this officer, whose own queue
    # ("Kasus saya") would hide it.
    assigned(console_suite, console_suite.key("12.06", "supervisor"), created["id"])
    code = created["tracking_code"]

    typed = code.replace("-", " ").lower()
    found = officer.get("/kasus", params={"officer": "me", "q": typed})
    assert found.status_code == 200, text(found)[:300]
    assert f'href="/kasus/{created["id"]}"' in found.text
    assert "1 kasus" in text(found)
    # The page says what it searched for, and that the view's filters were set aside.
    assert f"<h1>Kode lacak {code}</h1>" in found.text  # not "Kasus saya"
    assert "filter lain tidak dipakai" in text(found)

    # Words that are no code still search titles and descriptions.
    by_words = officer.get("/kasus", params={"q": "qscode"})
    assert f'href="/kasus/{created["id"]}"' in by_words.text
    assert "filter lain tidak dipakai" not in text(by_words)
