"""Open sessions of the area's people through the running suite: a supervisor sees where an
officer is signed in and ends that session after a confirmation; the officer is signed out."""

from __future__ import annotations

import re

from tests.console.people import signed_in
from tests.support.pages import text
from tests.support.suite import Suite


def test_a_supervisor_ends_an_officers_session_after_confirming(console_suite: Suite) -> None:
    boss = signed_in(console_suite, "ts-boss", role="supervisor")
    officer = signed_in(console_suite, "ts-officer", role="officer")

    listed = boss.get("/tim/sesi")
    assert listed.status_code == 200
    words = text(listed)
    assert "Ts Officer" in words
    assert "(sesi Anda ini)" in words
    # requests names itself in its user agent; an unknown browser is shown by that name.
    assert "python-requests" in words
    link = re.search(
        r'href="(/tim/sesi/[^/"]+/akhiri)"[^>]*>', listed.text[listed.text.index("Ts Officer") :]
    )
    assert link

    confirm = boss.get(link.group(1))
    assert confirm.status_code == 200
    assert "Akhiri sesi Ts Officer?" in text(confirm)
    assert "Ia keluar saat itu juga" in text(confirm)
    assert officer.get("/kasus").url.endswith("/kasus")  # still signed in until confirmed

    done = boss.post(link.group(1), {})
    assert "Sesi Ts Officer diakhiri." in text(done)
    assert "/masuk" in officer.get("/kasus").url
    assert "Ts Officer" not in text(boss.get("/tim/sesi"))
