"""The statistics page against the running suite: figures that match the cases filed,
per-regency rows for provincial roles, filters in the URL, and who may see it."""

from __future__ import annotations

from collections import Counter

from shared.categories import category_label
from tests.console.stats_pages import (
    figure_names,
    figure_rows,
    key_figures,
    sign_in_overseer,
    submit_reports,
)
from tests.support.pages import PageClient, text
from tests.support.suite import Suite
from tests.support.waiting import eventually

# Regencies no other test of the folder files cases in (valid codes without a name in the
# registry, so the page shows them by code).
SUPERVISED = "17.09"
PROVINCE = "19"
EAST, WEST = "19.03", "19.04"


def _classified(suite: Suite, key: str, ids: list[str]) -> Counter[str] | None:
    """The categories triage gave the cases, once it has classified them all."""
    found = [suite.case(key, case_id).get("triage", {}).get("category") for case_id in ids]
    return Counter(found) if all(found) else None


def test_a_supervisor_sees_figures_that_match_the_cases_filed(console_suite: Suite) -> None:
    filed = submit_reports(console_suite, SUPERVISED, "sup", 3)
    reader = console_suite.key(region=SUPERVISED, role="auditor")
    categories = eventually(
        lambda: _classified(console_suite, reader, [c["id"] for c in filed]), timeout=60
    )
    person = sign_in_overseer(
        console_suite, "stats-supervisor-1", region=SUPERVISED, role="supervisor"
    )

    page = person.get("/statistik")
    assert page.status_code == 200, text(page)
    assert key_figures(page.text)["Kasus masuk"] == "3"
    expected = {category_label(code): (str(n),) for code, n in categories.items()}
    shown = {label: cells[:1] for label, cells in figure_rows(page.text, "kategori").items()}
    assert shown == expected
    statuses = figure_rows(page.text, "status")
    assert sum(int(cells[0]) for cells in statuses.values()) == 3
    assert sum(int(cells[0]) for cells in figure_rows(page.text, "tren").values()) == 3
    # A regency's own page has no per-regency figures and no regency filter.
    assert figure_names(page.text) == ["tren", "kategori", "status"]
    assert 'name="region"' not in page.text
    # Each chart is an image with its text alternative, addressed with the same filters.
    assert page.text.count('<img class="chart" src="/statistik/grafik/') == 3
    assert "period=90" in page.text

    one = next(iter(categories))
    narrowed = person.get(f"/statistik?category={one}")
    assert key_figures(narrowed.text)["Kasus masuk"] == str(categories[one])
    long_ago = person.get("/statistik?period=custom&start=2001-01-01&end=2001-12-31")
    assert long_ago.status_code == 200
    assert key_figures(long_ago.text)["Kasus masuk"] == "0"
    assert "1 Jan 2001 sampai 31 Des 2001" in text(long_ago)


def test_wrong_filters_are_named_beside_their_fields(console_suite: Suite) -> None:
    person = sign_in_overseer(
        console_suite, "stats-supervisor-2", region=SUPERVISED, role="supervisor"
    )
    missing = person.get("/statistik?period=custom&start=2024-11-30")
    assert missing.status_code == 422
    assert "Ada yang perlu diperbaiki" in text(missing)
    assert "Isi tanggal akhir" in text(missing)
    assert 'value="2024-11-30"' in missing.text  # what was typed stays
    reversed_range = person.get("/statistik?period=custom&start=2024-11-30&end=2024-11-01")
    assert "harus sama dengan atau sesudah" in text(reversed_range)
    unknown = person.get("/statistik?category=KOPI")
    assert unknown.status_code == 422
    assert "Kategori ini tidak dikenal" in text(unknown)


def test_an_operator_sees_one_row_per_regency(console_suite: Suite) -> None:
    submit_reports(console_suite, EAST, "timur", 2)
    submit_reports(console_suite, WEST, "barat", 1)
    person = sign_in_overseer(console_suite, "stats-operator-1", region=PROVINCE, role="operator")

    page = person.get("/statistik")
    assert page.status_code == 200, text(page)
    assert figure_names(page.text) == [
        "tren",
        "kategori",
        "status",
        "wilayah",
        "tenggat",
        "tindakan",
    ]
    regencies = figure_rows(page.text, "wilayah")
    assert regencies[EAST][0] == "2"
    assert regencies[WEST][0] == "1"
    # Nothing closed yet: the on-time share has no figure, and says so instead of 0 %.
    assert figure_rows(page.text, "tenggat")[EAST] == ("0", "0", "–")
    assert set(figure_rows(page.text, "tindakan")) >= {EAST, WEST}

    one = person.get(f"/statistik?region={WEST}")
    assert key_figures(one.text)["Kasus masuk"] == "1"
    assert "wilayah" not in figure_names(one.text)
    elsewhere = person.get("/statistik?region=12.06")
    assert elsewhere.status_code == 422
    assert "tidak berada di provinsi Anda" in text(elsewhere)


def test_an_auditor_reads_the_province_too(console_suite: Suite) -> None:
    person = sign_in_overseer(console_suite, "stats-auditor-1", region=PROVINCE, role="auditor")
    page = person.get("/statistik")
    assert page.status_code == 200, text(page)
    assert "wilayah" in figure_names(page.text)


def test_an_officer_gets_the_refusal_page(console_suite: Suite) -> None:
    console_suite.person("stats-officer-1", region=SUPERVISED)
    person = PageClient(console_suite.urls["console"])
    person.accept_invitation(console_suite.invitation("stats-officer-1"), "kopi susu gula aren")
    page = person.get("/statistik")
    assert page.status_code == 403
    assert "Tidak diizinkan" in text(page)
    assert '<li><a href="/statistik">' not in page.text  # not offered in the menu either
    assert person.get("/statistik/grafik/kategori.svg").status_code == 403
    assert person.post("/statistik/ekspor", {"period": "90"}).status_code == 403
    assert person.get("/statistik/ekspor/0123456789abcdef01234567").status_code == 403
