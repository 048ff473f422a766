"""The charts of the statistics page as their own SVG answers, and what the whole page
weighs on first load."""

from __future__ import annotations

import re
from typing import Final

from tests.console.stats_pages import reject, sign_in_overseer, submit_reports
from tests.support.pages import PageClient
from tests.support.suite import Suite
from tests.support.waiting import eventually

REGENCY = "17.07"
BUDGET: Final = 150_000
_SOURCES = re.compile(r'(?:src|href)="(/[^"]+)"')


def _transferred(person: PageClient, path: str) -> int:
    """Bytes on the wire for ``path``, compressed as the console sends it to a browser."""
    answer = person.session.get(
        person.base + path.replace("&amp;", "&"),
        headers={"Accept-Encoding": "gzip, deflate, br"},
        stream=True,
        timeout=15,
    )
    assert answer.status_code == 200, (path, answer.status_code)
    return len(answer.raw.read(decode_content=False))


def test_a_chart_is_an_svg_with_no_script_and_its_own_policy(console_suite: Suite) -> None:
    submit_reports(console_suite, REGENCY, "grafik", 2)
    person = sign_in_overseer(console_suite, "stats-charts-1", region=REGENCY, role="supervisor")
    page = person.get("/statistik")
    sources = re.findall(r'<img class="chart" src="([^"]+)"', page.text)
    assert len(sources) == 3
    for source in sources:
        chart = person.get(source.replace("&amp;", "&"))
        assert chart.status_code == 200
        assert chart.headers["Content-Type"].startswith("image/svg+xml")
        assert chart.text.lstrip().startswith("<?xml")
        assert "<svg" in chart.text
        assert "<script" not in chart.text.lower()
        assert "javascript" not in chart.text.lower()
        assert not re.search(r"(?:href|src)=|url\(|@import", chart.text)
        policy = chart.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src" not in policy
        assert "private" in chart.headers["Cache-Control"]
        assert "max-age=" in chart.headers["Cache-Control"]
        again = person.get(
            source.replace("&amp;", "&"), headers={"If-None-Match": chart.headers["ETag"]}
        )
        assert again.status_code == 304
    # The page itself keeps the strict policy.
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert person.get("/statistik/grafik/wilayah.svg?period=90").status_code == 404
    assert person.get("/statistik/grafik/tidak-ada.svg").status_code == 404


def test_the_provincial_page_with_its_charts_stays_within_the_budget(
    console_suite: Suite,
) -> None:
    filed = submit_reports(console_suite, "64.71", "ukur", 3)
    operator_key = console_suite.key(region="64", role="operator")
    # Triaged (so it has a deadline), then rejected: every chart has something to draw.
    eventually(
        lambda: console_suite.case(operator_key, filed[0]["id"]).get("triage", {}).get("due_at"),
        timeout=60,
    )
    reject(console_suite, operator_key, filed[0]["id"])
    person = sign_in_overseer(console_suite, "stats-charts-2", region="64", role="operator")
    page = person.get("/statistik")
    assert page.status_code == 200
    html_bytes = _transferred(person, "/statistik")
    assets = sorted(set(_SOURCES.findall(page.text)) - {"/statistik"})
    assets = [a for a in assets if a.startswith(("/static/", "/statistik/grafik/"))]
    sizes = {asset: _transferred(person, asset) for asset in assets}
    charts = {a: n for a, n in sizes.items() if "/grafik/" in a}
    total = html_bytes + sum(sizes.values())
    print(  # the figures the budget is checked against, for the record
        f"\nstatistics page: html {html_bytes} B, "
        + ", ".join(f"{a.split('?')[0].rsplit('/', 1)[-1]} {n} B" for a, n in sizes.items())
        + f"; total {total} B"
    )
    assert len(charts) == 6
    assert all(n < 4_000 for n in charts.values()), charts
    assert total < BUDGET
