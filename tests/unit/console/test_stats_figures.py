"""What the statistics page makes of intake's answer: tables and charts from the same rows,
text alternatives that say what the chart shows, key figures, export progress and refusals
in words (Babel in Indonesian, no service)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask_babel import Babel

from services.console.clients.base import Refused, Throttled
from services.console.stats import figures
from services.console.stats.progress import progress
from services.console.stats.refusals import export_refusal


@pytest.fixture(autouse=True)
def _indonesian() -> Iterator[None]:
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "id", timezone_selector=lambda: "Asia/Makassar")
    with app.test_request_context():
        yield


def _regency(code: str, *, closed: int, within: int, median: float | None) -> dict[str, Any]:
    return {
        "region_code": code,
        "total": 3,
        "by_status": {},
        "time_to_first_action": {
            "count": 0 if median is None else 2,
            "mean_hours": median,
            "median_hours": median,
        },
        "time_to_close": {"count": 0, "mean_hours": None, "median_hours": None},
        "closed_within_deadline": {
            "closed_with_deadline": closed,
            "within_deadline": within,
            "share": within / closed if closed else None,
        },
    }


MONDAY = date(2024, 9, 9)
STATS: dict[str, Any] = {
    "region_code": "64",
    "total": 10,
    "by_category": {"HOAKS": 3, "MEDSOS": 6, "unclassified": 1},
    "by_status": {"closed": 2, "received": 5, "verified": 3},
    "by_regency": {"64.02": 7, "64.08": 3},
    "time_to_first_action": {"count": 4, "mean_hours": 30.5, "median_hours": 0.5},
    "time_to_close": {"count": 2, "mean_hours": 96.0, "median_hours": 72.0},
    "closed_within_deadline": {"closed_with_deadline": 2, "within_deadline": 1, "share": 0.5},
    "weekly": [
        {"week_start": (MONDAY + timedelta(weeks=i)).isoformat(), "received": r, "closed": c}
        for i, (r, c) in enumerate(
            zip(
                [0, 0, 1, 0, 0, 2, 0, 0, 4, 1, 1, 1],
                [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0],
                strict=True,
            )
        )
    ],
    "regencies": [
        _regency("64.08", closed=0, within=0, median=None),
        _regency("64.02", closed=2, within=1, median=3.0),
    ],
}


def test_a_regency_gets_three_charts_and_a_province_six() -> None:
    assert figures.names(STATS) == ("tren", "kategori", "status", "wilayah", "tenggat", "tindakan")
    assert figures.names({**STATS, "regencies": None}) == ("tren", "kategori", "status")
    assert figures.figure({**STATS, "regencies": None}, "wilayah") is None
    assert figures.figure(STATS, "nothing") is None


def test_categories_are_largest_first_with_their_share_and_words() -> None:
    figure = figures.by_category(STATS)
    assert [(row.label, row.cells) for row in figure.rows] == [
        ("Aktivitas media sosial mendukung calon", ("6", "60%")),
        ("Hoaks/disinformasi pemilihan", ("3", "30%")),
        ("Belum diklasifikasi", ("1", "10%")),
    ]
    assert [row.bar.value for row in figure.rows if row.bar] == [6, 3, 1]
    assert figure.alt == (
        "Kasus per kategori: Aktivitas media sosial mendukung calon 6, "
        "Hoaks/disinformasi pemilihan 3, Belum diklasifikasi 1."
    )
    svg = figure.svg().decode()
    assert f"<title>{figure.alt}</title>" in svg
    assert svg.count('class="rect reactive"') == 3


def test_statuses_follow_the_workflow_not_the_alphabet() -> None:
    labels = [row.label for row in figures.by_status(STATS).rows]
    assert labels == ["Diterima", "Terverifikasi", "Selesai"]


def test_the_trend_names_its_weeks_and_its_busiest_one() -> None:
    figure = figures.trend(STATS)
    assert (figure.periods[0], figure.periods[-1]) == ("9 Sep", "25 Nov")
    assert figure.rows[8].label == "4 Nov"
    assert figure.rows[8].cells == ("4", "0")
    assert figure.drawable
    assert "9 Sep sampai 25 Nov: 10 masuk, 2 selesai" in figure.alt
    assert "minggu 4 Nov (4)" in figure.alt
    quiet = figures.trend(
        {"weekly": [{"week_start": "2024-11-04", "received": 0, "closed": 0}] * 12}
    )
    assert not quiet.drawable


def test_per_regency_figures_leave_out_what_cannot_be_measured() -> None:
    deadline = figures.deadline_by_regency(STATS)
    rows = {row.label: row for row in deadline.rows}
    karo_like = rows["Kabupaten Kutai Kartanegara (64.02)"]
    assert karo_like.cells == ("2", "1", "50%")
    assert karo_like.bar is not None
    assert karo_like.bar.value == 50
    empty = rows["Kabupaten Kutai Timur (64.08)"]
    assert empty.cells == ("0", "0", "–")
    assert empty.bar is None
    assert deadline.maximum == 100
    first = figures.first_action_by_regency(STATS)
    assert [row.cells for row in first.rows] == [("2", "3 jam", "3 jam"), ("0", "–", "–")]
    assert "Kab. Kutai Kartanegara" in first.svg().decode()


def test_key_figures_are_read_first() -> None:
    shown = {item.label: (item.value, item.detail) for item in figures.key_figures(STATS)}
    assert shown["Kasus masuk"][0] == "10"
    assert shown["Selesai dalam tenggat"] == ("50%", "1 dari 2 kasus selesai yang punya tenggat")
    assert shown["Sampai tindakan pertama"] == (
        "30 menit",
        "median; rata-rata 30,5 jam, dari 4 kasus",
    )
    assert shown["Sampai selesai"][0] == "3 hari"


def test_a_long_list_points_to_the_table_for_the_rest() -> None:
    many = {f"64.{i:02d}": 20 - i for i in range(1, 11)}
    figure = figures.by_regency({"total": 155, "by_regency": many})
    assert figure.alt.endswith("Dan 4 lainnya di tabel.")


def test_an_export_in_progress_in_words() -> None:
    running = progress(
        {
            "id": "a" * 24,
            "status": "running",
            "rows_written": 250,
            "total_estimated": 1000,
            "percent": 25.0,
        }
    )
    assert running["summary"] == "250 dari 1.000 baris ditulis (25%)."
    assert (running["label"], running["active"], running["done"]) == ("Sedang ditulis", True, False)
    done = progress(
        {"status": "done", "rows_written": 1000, "total_estimated": 990, "percent": 100.0}
    )
    assert (done["summary"], done["active"], done["done"]) == (
        "1.000 baris siap diunduh.",
        False,
        True,
    )
    assert progress({"status": "failed"})["failed"]


def test_export_refusals_name_the_limit() -> None:
    too_many = Throttled(429, {"detail": "wait", "max_active": 3})
    assert "sudah punya 3 ekspor" in (export_refusal(too_many) or "")
    too_large = Refused(422, {"matching": 125000, "max_rows": 100000})
    message = export_refusal(too_large) or ""
    assert "125.000 kasus" in message
    assert "100.000 kasus" in message
    assert export_refusal(Refused(422, {"errors": [{"field": "category"}]})) is None
    assert export_refusal(Refused(403, {})) is None
