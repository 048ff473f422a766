"""Charts drawn as SVG (pure): figures in, a small self-contained SVG out, with one bar or
dot per figure, its labels, no script and nothing fetched from anywhere."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest

from services.console.stats.charts import (
    LABEL_CHARACTERS,
    WIDTH,
    Bar,
    Series,
    bar_chart,
    shorten,
    ticks,
    trend_chart,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
CATEGORIES = (
    ("Aktivitas media sosial mendukung calon", 12),
    ("Hoaks/disinformasi pemilihan", 8),
    ("Keputusan yang menguntungkan/merugikan calon", 3),
    ("Belum diklasifikasi", 1),
)


def _root(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the code under test wrote it, from test data


def _bars(svg: bytes) -> list[ET.Element]:
    root = _root(svg)
    return [r for r in root.iterfind(".//svg:rect", NS) if "reactive" in r.get("class", "")]


def _texts(svg: bytes, css_class: str | None = None) -> list[str]:
    root = _root(svg)
    return [
        (t.text or "")
        for t in root.iterfind(".//svg:text", NS)
        if css_class is None or t.get("class") == css_class
    ]


def _self_contained(svg: bytes) -> None:
    text = svg.decode()
    assert "<script" not in text.lower()
    assert "javascript" not in text.lower()
    assert "<desc" not in text  # pygal's tooltip data
    assert "<!--" not in text
    assert "tooltip" not in text
    # No link, image, font or stylesheet from anywhere: the only URL is the namespace.
    assert re.findall(r"https?://[^\"' ]+", text) == ["http://www.w3.org/2000/svg"]
    assert not re.search(r"(?:href|src)=|url\(|@import|xml-stylesheet", text)


def test_a_bar_chart_has_one_bar_and_one_label_per_figure() -> None:
    bars = [Bar(label, n, str(n)) for label, n in CATEGORIES]
    svg = bar_chart(bars, title="Kasus per kategori: Aktivitas media sosial 12, Hoaks 8.")
    root = _root(svg)
    assert root.get("viewBox", "").startswith(f"0 0 {WIDTH} ")
    assert root.get("role") == "img"
    assert root.findtext("svg:title", namespaces=NS) == (
        "Kasus per kategori: Aktivitas media sosial 12, Hoaks 8."
    )
    assert len(_bars(svg)) == 4
    # The largest is read first: pygal's first bar is drawn at the bottom, so the list is
    # given to it reversed; the labels appear bottom-up.
    labels = _texts(svg)
    assert [shorten(label) for label, _ in reversed(CATEGORIES)] == [
        t for t in labels if t and not t.isdigit()
    ]
    assert sorted(_texts(svg, "value")) == sorted(["12", "8", "3", "1"])
    widths = [float(r.get("width", "0")) for r in _bars(svg)]
    assert widths == sorted(widths)  # bottom (smallest) to top (largest)
    _self_contained(svg)


def test_values_are_written_after_their_bars() -> None:
    svg = bar_chart([Bar("Karo", 30, "30"), Bar("Belitung", 10, "10")], title="t")
    rects = _bars(svg)
    values = [t for t in _root(svg).iter() if t.get("class") == "value"]
    for rect, value in zip(rects, values, strict=True):
        end = float(rect.get("x", "0")) + float(rect.get("width", "0"))
        assert float(value.get("x", "0")) >= end
        assert value.get("text-anchor") == "start"


def test_a_fixed_maximum_keeps_percentages_to_scale() -> None:
    svg = bar_chart(
        [Bar("A", 100, "100 %"), Bar("B", 50, "50 %"), Bar("C", 0, "0 %")],
        title="Selesai dalam tenggat",
        maximum=100,
    )
    rects = _bars(svg)
    assert len(rects) == 3
    widths = {float(r.get("width", "0")) for r in rects}
    full = max(widths)
    assert any(abs(w - full / 2) < 1 for w in widths)
    assert "0 %" in _texts(svg, "value")


def test_the_chart_grows_with_its_bars_but_stays_small() -> None:
    many = [Bar(f"Kabupaten Nomor {i:02d}", 300 - i, str(300 - i)) for i in range(38)]
    svg = bar_chart(many, title="Kasus per kabupaten/kota")
    assert len(_bars(svg)) == 38
    height = float(_root(svg).get("viewBox", "").split()[3])
    assert height > 38 * 25
    # pygal's own output for this chart is about 38 kB; ours carries no tooltip data,
    # no script and short coordinates.
    assert len(svg) < 12_000
    _self_contained(svg)


def test_long_labels_are_shortened_at_a_word() -> None:
    label = "Keputusan yang menguntungkan/merugikan calon"
    short = shorten(label)
    assert len(short) <= LABEL_CHARACTERS
    assert short.endswith("…")
    assert label.startswith(short[:-1])
    assert shorten("Hoaks") == "Hoaks"


def test_a_trend_draws_one_line_per_series_with_every_other_period_named() -> None:
    weeks = [f"{day} Nov" for day in range(1, 13)]
    svg = trend_chart(
        weeks,
        [Series("Masuk", [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]), Series("Selesai", [0] * 12)],
        title="Kasus masuk dan selesai per minggu",
    )
    root = _root(svg)
    lines = [p for p in root.iterfind(".//svg:path", NS) if "line" in p.get("class", "").split()]
    series_lines = [p for p in lines if "reactive" in p.get("class", "")]
    assert len(series_lines) == 2
    dots = [c for c in root.iterfind(".//svg:circle", NS) if "dot" in c.get("class", "")]
    assert len(dots) == 24
    texts = _texts(svg)
    assert "Masuk" in texts
    assert "Selesai" in texts
    assert [w for w in weeks if w in texts] == weeks[::2]
    _self_contained(svg)


@pytest.mark.parametrize(
    ("largest", "expected"),
    [
        (0, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (12, [0, 5, 10, 15]),
        (240, [0, 50, 100, 150, 200, 250]),
        (
            99_999,
            [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000],
        ),
    ],
)
def test_the_trend_scale_is_whole_round_numbers(largest: int, expected: list[int]) -> None:
    assert ticks(largest) == expected
