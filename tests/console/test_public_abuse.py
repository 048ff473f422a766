"""The public pages against misuse, as real processes: a burst of sendings from one address
is refused after the limit (never a server error), tracking codes cannot be guessed in
bulk and a wrong code looks like an unknown one, and the same hoax reported twice is linked
as a duplicate and alerts no officer again."""

from __future__ import annotations

import re
import uuid
from typing import Any

import requests

from services.intake.cases.models import Case
from tests.support.pages import text
from tests.support.public_forms import citizen_at, report_fields, send_report, tracking_code
from tests.support.suite import Suite
from tests.support.waiting import eventually

PER_HOUR = 20  # PANTAU_PUBLIC_REPORTS_PER_ADDRESS's default, which the suite keeps
LOOKUPS_PER_MINUTE = 30  # PANTAU_TRACK_RATE_PER_MINUTE's default


def test_a_burst_from_one_address_is_refused_after_the_limit_without_a_server_error(
    console_suite: Suite,
) -> None:
    burst = citizen_at(console_suite.urls["console"], "127.0.0.41")
    burst.get("/lapor")
    statuses: list[int] = []
    # Until refused, and once more; a window that turns over meanwhile only delays it.
    while statuses.count(429) < 2 and len(statuses) < 3 * PER_HOUR:
        page = burst.post("/lapor", {"description": "x"})
        statuses.append(page.status_code)
    assert all(status < 500 for status in statuses), statuses
    first = statuses.index(429)
    assert first >= PER_HOUR, statuses  # the sendings before were refused for their boxes
    assert set(statuses[:first]) == {422}, statuses
    assert "Coba lagi dalam" in text(page)
    assert int(page.headers["Retry-After"]) > 0
    # Another address is not held back.
    other = citizen_at(console_suite.urls["console"], "127.0.0.42")
    assert other.get("/lapor").status_code == 200
    assert other.post("/lapor", {"description": "x"}).status_code == 422


def test_guessing_codes_is_throttled_and_a_wrong_code_looks_like_an_unknown_one(
    console_suite: Suite,
) -> None:
    guesser = citizen_at(console_suite.urls["console"], "127.0.0.43")
    malformed = guesser.get("/lacak/HELLO")
    unknown = guesser.get("/lacak/AAAA-BBBB-CCCC-DDDD")
    assert malformed.status_code == unknown.status_code == 404
    assert re.sub("HELLO", "", text(malformed)) == re.sub("AAAA-BBBB-CCCC-DDDD", "", text(unknown))
    statuses: list[int] = []
    while 429 not in statuses and len(statuses) < 3 * LOOKUPS_PER_MINUTE:
        statuses.append(guesser.get(f"/lacak/{uuid.uuid4().hex[:16].upper()}").status_code)
    assert set(statuses[:-1]) == {404}, statuses
    assert statuses[-1] == 429
    # The two lookups above counted too.
    assert len(statuses) >= LOOKUPS_PER_MINUTE - 2
    assert guesser.last is not None
    assert "Terlalu banyak percobaan" in text(guesser.last)
    # The form for the code counts the same way, and says so in words.
    typed = guesser.get("/lacak", params={"kode": "k7qm 3xpa 9d2f ht6w"})
    assert typed.status_code == 429


def test_the_code_form_leads_to_the_report_page(console_suite: Suite) -> None:
    citizen = citizen_at(console_suite.urls["console"], "127.0.0.44")
    description = (
        "Guru PPPK SMP negeri Merdeka mengunggah video ajakan memilih pasangan calon nomor "
        "dua di grup WhatsApp wali murid."
    )
    anonymous = {"identity": "anonymous", "reporter_name": "", "reporter_phone": ""}
    sent = send_report(citizen, report_fields(description, **anonymous, reporter_email=""))
    code = tracking_code(sent)
    typed = citizen.get("/lacak", params={"kode": code.lower().replace("-", " ")})
    assert typed.status_code == 200
    assert typed.url.endswith(f"/lacak/{code}")
    page = text(typed)
    assert "Laporan Anda sudah diterima." in page
    assert "Kabupaten Karo" in page
    assert typed.headers["Cache-Control"] == "no-store"
    english = citizen.get(f"/lacak/{code}", params={"lang": "en"})
    assert '<html lang="en">' in english.text


def _triage(suite: Suite, key: str, case_id: str) -> dict[str, Any] | None:
    answer = requests.get(
        f"{suite.urls['triage']}/v1/cases/{case_id}/triage",
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )
    return answer.json() if answer.status_code == 200 else None


def test_the_same_hoax_reported_twice_is_a_duplicate_and_alerts_nobody_again(
    console_suite: Suite,
) -> None:
    description = (
        "Beredar pesan berantai bahwa warga Kota Bengkulu yang belum menerima undangan memilih "
        "tidak boleh datang ke TPS. Pesan ini hoaks dan menyesatkan pemilih."
    )
    link = "https://www.facebook.com/groups/bengkulu.info/posts/7712/"
    fields = report_fields(
        description,
        region="17.71",
        location="Grup Facebook Info Bengkulu",
        links=link,
        person1_agency="",
        person1_position="",
        identity="anonymous",
        reporter_name="",
        reporter_phone="",
        reporter_email="",
    )
    first = send_report(citizen_at(console_suite.urls["console"], "127.0.0.45"), fields)
    second = send_report(citizen_at(console_suite.urls["console"], "127.0.0.46"), fields)
    codes = [tracking_code(first), tracking_code(second)]
    found = [Case._get_collection().find_one({"tracking_code": c}, {"_id": 1}) for c in codes]
    ids = [str(doc["_id"]) for doc in found if doc is not None]
    key = console_suite.key("17.71", "supervisor")
    original = eventually(lambda: _triage(console_suite, key, ids[0]), timeout=30)
    repeat = eventually(lambda: _triage(console_suite, key, ids[1]), timeout=30)
    assert repeat["duplicate_of"] == ids[0]
    assert repeat["assignment"] is None
    assert original["assignment"]["officer_id"]
    # The first report's officer is told; the repeat reaches no one.
    eventually(lambda: any(codes[0] in m.as_string() for m in console_suite.mail.messages), 30)
    assert not any(codes[1] in m.as_string() for m in console_suite.mail.messages)
