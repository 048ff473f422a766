"""The team board and bulk reassignment through the running suite: a supervisor with the
second factor moves two cases to a colleague at once and the board counts them; officers
are refused the team pages."""

from __future__ import annotations

import re

import requests

from tests.console.people import assigned, distinct_case, hidden, signed_in
from tests.support.pages import text
from tests.support.suite import Suite


def open_figure(board: requests.Response, officer_id: str) -> int:
    """The officer's open cases as the board shows them (a link only when there are some)."""
    found = re.search(
        rf'href="/kasus\?officer={re.escape(officer_id)}" class="fig">(\d+)<', board.text
    )
    return int(found.group(1)) if found else 0


def test_a_supervisor_reassigns_two_cases_at_once_and_the_board_counts_them(
    console_suite: Suite,
) -> None:
    boss = signed_in(console_suite, "tb-boss", role="supervisor")
    # Another unit than the one these cases are routed to: triage never gives them her.
    console_suite.person("tb-target", name="Tiurma Sitepu", unit="INSPEKTORAT")
    key = console_suite.key("12.06", "supervisor")
    ids = []
    for word in ("pertama", "kedua"):
        created = console_suite.submit(
            console_suite.key("12.06"), distinct_case(f"Papan tim tbmove {word}")
        )
        assigned(console_suite, key, created["id"])
        ids.append(created["id"])

    before = boss.get("/tim")
    assert before.status_code == 200, text(before)[:300]
    assert "Tiurma Sitepu" in text(before)
    assert open_figure(before, "tb-target") == 0

    queue = boss.get("/kasus?q=tbmove")
    assert all(f'value="{case_id}"' in queue.text for case_id in ids)
    result = boss.post(
        "/tim/massal",
        [
            *[("case_id", case_id) for case_id in ids],
            ("action", "reassign"),
            ("officer_id", "tb-target"),
            ("reason", "Pemerataan beban kerja"),
            ("back", hidden(queue, "back")),
            ("loaded_at", hidden(queue, "loaded_at")),
        ],
    )
    assert result.status_code == 200, text(result)[:500]
    words = text(result)
    assert "Hasil pengalihan ke Tiurma Sitepu" in words
    assert words.count("Selesai.") == 2
    assert 'href="/kasus?q=tbmove"' in result.text  # back to the queue the person came from

    after = boss.get("/tim")
    assert open_figure(after, "tb-target") == 2
    for case_id in ids:
        case = console_suite.case(key, case_id)
        assert case["triage"]["assignee"]["officer_id"] == "tb-target"
        # One change per case, each with the reason.
        moves = [e for e in case["timeline"] if e["kind"] == "reassigned"]
        assert [e["reason"] for e in moves] == ["Pemerataan beban kerja"]


def test_a_figure_opens_the_queue_filtered_to_it(console_suite: Suite) -> None:
    boss = signed_in(console_suite, "tb-boss-2", role="supervisor")
    console_suite.person("tb-holder", name="Horas Tarigan", unit="INSPEKTORAT")
    key = console_suite.key("12.06", "supervisor")
    created = console_suite.submit(console_suite.key("12.06"), distinct_case("tbfilter"))
    case = assigned(console_suite, key, created["id"])
    requests.post(
        f"{console_suite.urls['intake']}/v1/cases/{created['id']}/reassign",
        json={"version": case["version"], "officer_id": "tb-holder", "reason": "Uji papan"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).raise_for_status()

    board = boss.get("/tim")
    assert open_figure(board, "tb-holder") == 1
    listed = boss.get("/kasus?officer=tb-holder")
    assert "tbfilter" in text(listed)


def test_officers_get_403_on_every_team_page(console_suite: Suite) -> None:
    officer = signed_in(console_suite, "tb-officer", role="officer")
    home = officer.get("/kasus")
    assert 'href="/tim"' not in home.text
    for path in ("/tim", "/tim/orang", "/tim/orang/tb-officer", "/tim/sesi", "/tim/orang/baru"):
        page = officer.get(path)
        assert page.status_code == 403, path
        assert "Tidak diizinkan" in text(page)
    sent = officer.post("/tim/massal", {"action": "acknowledge"}, token_from="/kasus")
    assert sent.status_code == 403


def test_an_auditor_reads_the_board_and_the_people_but_changes_nothing(
    console_suite: Suite,
) -> None:
    auditor = signed_in(console_suite, "tb-auditor", role="auditor", region="12")
    board = auditor.get("/tim")
    assert board.status_code == 200
    assert "Kabupaten Karo" in text(board)
    people = auditor.get("/tim/orang")
    assert people.status_code == 200
    assert "Tambah orang" not in text(people)
    assert auditor.get("/tim/orang/baru").status_code == 403
    person = auditor.get("/tim/orang/tb-auditor")
    assert "Nonaktifkan" not in text(person)
    assert auditor.get("/tim/orang/tb-auditor/nonaktifkan").status_code == 403
