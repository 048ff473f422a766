"""Charts drawn on the server as SVG with pygal, small enough for a phone on a weak link.

Pure: figures and words in, the bytes of one SVG document out; no request, no network.
Each chart is served as its own ``image/svg+xml`` answer and shown with ``<img>``, so it can
carry no script and reach nothing: pygal is told to add no script file (``js=[]``), and what
it still writes for its tooltips (a configuration script, hidden tooltip boxes, values
repeated in ``<desc>`` elements) and its comments are removed before the SVG is written.
Its stylesheets (a few kilobytes, mostly for tooltips, hovering and other chart kinds) are
replaced by one short sheet with the console's colours and system fonts. Coordinates are
rounded to one decimal, which no screen can tell from pygal's sixteen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final
from xml.etree import ElementTree as ET

import pygal
from pygal.style import Style

# Drawn at about the width of a phone, so its text stays readable when the image is scaled
# to the screen; a wider screen scales it up.
WIDTH: Final = 360
BAR_HEIGHT: Final = 30
TREND_HEIGHT: Final = 250
MARGIN: Final = 8
LABEL_CHARACTERS: Final = 26
FONT_SIZE: Final = 13
INK: Final = "#1b1f24"
MUTED: Final = "#545c66"
LINE: Final = "#c9ced6"
# The console's brand blue and its "done" green; they differ in lightness too, for people
# who do not tell blue from green.
SERIES_COLOURS: Final = ("#0b5394", "#1e6b35")

STYLESHEET: Final = (
    "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;"
    f"font-size:{FONT_SIZE}px;fill:{INK};stroke:none}}"
    ".background{fill:#fff}"
    f".axis .line{{stroke:{MUTED}}}"
    f".guide.line{{stroke:{LINE};fill:none}}"
    ".axis.x text{text-anchor:middle}.axis.y text{text-anchor:end}"
    ".horizontal .axis.y .guide.line,.axis.x .guide.line{opacity:0}"
    f".text-overlay text.value{{font-weight:600;fill:{INK}}}"
    ".nofill{fill:none}.line.reactive{stroke-width:3}"
    + "".join(
        f".color-{i},.color-{i} .reactive{{fill:{c};stroke:{c}}}"
        for i, c in enumerate(SERIES_COLOURS)
    )
    + ".nofill.reactive{fill:none}"
)

# pygal sizes its margins from these; the stylesheet draws the text at the same size.
STYLE: Final = Style(
    background="#fff",
    plot_background="#fff",
    colors=SERIES_COLOURS,
    label_font_size=FONT_SIZE,
    major_label_font_size=FONT_SIZE,
    value_font_size=FONT_SIZE,
    legend_font_size=FONT_SIZE,
)

_NUMBER = re.compile(r"-?\d+\.\d+")
_ROUNDED_ATTRIBUTES: Final = ("x", "y", "width", "height", "cx", "cy", "r", "d", "points")


@dataclass(frozen=True)
class Bar:
    """One bar: what it stands for, its length, and the value written at its end."""

    label: str
    value: float
    shown: str


@dataclass(frozen=True)
class Series:
    """One line of a trend: its name (in the legend) and one value per period."""

    name: str
    values: Sequence[int]


def _tag(element: ET.Element) -> str:
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


def _round(match: re.Match[str]) -> str:
    value = round(float(match.group(0)), 1)
    return f"{value:g}" if abs(value) < 1e6 else str(value)


def _cleaner(title: str) -> Callable[[ET.Element], ET.Element]:
    """The filter pygal runs on its tree before writing it (``xml_filters``)."""

    def clean(root: ET.Element) -> ET.Element:
        for parent in list(root.iter()):
            for child in list(parent):
                tag = _tag(child)
                classes = str(child.get("class") or "").split()
                if (
                    not isinstance(child.tag, str)  # a comment
                    or tag in ("script", "desc")
                    or (tag == "title" and parent is not root)
                    or "tooltip-overlay" in classes
                ):
                    parent.remove(child)
                elif tag == "style":
                    child.text = STYLESHEET
                elif tag == "title":
                    child.text = title
            for name in _ROUNDED_ATTRIBUTES:
                value = parent.get(name)
                if value:
                    parent.set(name, _NUMBER.sub(_round, value))
            # Tooltip hooks and empty class lists mean nothing without pygal's script.
            if "class" in parent.attrib:
                kept = " ".join(c for c in parent.attrib["class"].split() if c != "tooltip-trigger")
                if kept:
                    parent.set("class", kept)
                else:
                    del parent.attrib["class"]
        root.attrib.pop("id", None)
        root.set("role", "img")
        return root

    return clean


def _config(height: int, **options: Any) -> dict[str, Any]:
    """What every chart shares: no script, our stylesheet, phone width, no legend."""
    return {
        "js": [],
        "css": [],
        "no_prefix": True,
        "width": WIDTH,
        "height": height,
        "style": STYLE,
        "show_legend": False,
        "margin": MARGIN,
        "spacing": 6,
        **options,
    }


def _values_after_bars(root: ET.Element) -> ET.Element:
    """Write each bar's value just after its end, left-aligned, where pygal centres it on
    the end and half of it covers the bar."""
    rects = [e for e in root.iter() if _tag(e) == "rect" and "reactive" in e.get("class", "")]
    texts = [e for e in root.iter() if _tag(e) == "text" and e.get("class") == "value"]
    for rect, text in zip(rects, texts, strict=False):
        end = float(rect.get("x", "0")) + float(rect.get("width", "0"))
        text.set("x", f"{end + 4:.1f}")
        text.set("text-anchor", "start")
    return root


def _render(chart: Any, title: str, *filters: Callable[[ET.Element], ET.Element]) -> bytes:
    for extra in filters:
        chart.add_xml_filter(extra)
    chart.add_xml_filter(_cleaner(title))
    svg: bytes = chart.render()
    return svg


# Rough widths of the system font at FONT_SIZE, enough to keep the values on the chart.
_LABEL_CHARACTER_WIDTH: Final = 7.0
_VALUE_CHARACTER_WIDTH: Final = 8.0


def _headroom(bars: Sequence[Bar]) -> float:
    """How much to stretch the scale so the longest value still fits after its bar."""
    labels = max((len(shorten(bar.label)) for bar in bars), default=0)
    plot = WIDTH - 2 * MARGIN - labels * _LABEL_CHARACTER_WIDTH - 10
    value = max((len(bar.shown) for bar in bars), default=0) * _VALUE_CHARACTER_WIDTH + 8
    return plot / max(plot - value, plot / 3)


def bar_chart_height(bars: int) -> int:
    """The height a bar chart of ``bars`` bars is drawn at."""
    return BAR_HEIGHT * max(bars, 1) + 2 * MARGIN


def bar_chart(bars: Sequence[Bar], *, title: str, maximum: float | None = None) -> bytes:
    """Horizontal bars, one per ``Bar``, its value written at its end; ``title`` is the
    chart's text alternative, ``maximum`` fixes the scale (100 for percentages)."""
    largest = max((bar.value for bar in bars), default=0)
    top = (maximum if maximum is not None else max(largest, 1)) * _headroom(bars)
    chart = pygal.HorizontalBar(
        **_config(
            height=bar_chart_height(len(bars)),
            print_values=True,
            print_values_position="top",
            show_y_guides=False,
            show_x_guides=False,
            show_x_labels=False,
            range=(0, top),
            include_x_axis=True,
        )
    )
    # pygal draws the first bar at the bottom; people read the largest first, at the top.
    ordered = list(reversed(bars))
    chart.x_labels = [shorten(bar.label) for bar in ordered]
    chart.add(
        "",
        [{"value": bar.value, "formatter": _constant(bar.shown)} for bar in ordered],
    )
    return _render(chart, title, _values_after_bars)


def shorten(label: str, limit: int = LABEL_CHARACTERS) -> str:
    """``label`` cut to ``limit`` characters at a word where it can be, with an ellipsis
    (the table beside the chart has it whole)."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space >= limit // 2 else cut).rstrip(" /,") + "…"


def _constant(text: str) -> Callable[[Any], str]:
    return lambda _value: text


_STEPS: Final = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)


def ticks(largest: int) -> list[int]:
    """Whole-number marks from 0 to at least ``largest`` on a round step, at most six."""
    step = next((s for s in _STEPS if largest <= s * 5), 10 ** (len(str(largest)) - 1))
    count = max(1, -(-largest // step))
    return [step * i for i in range(count + 1)]


def trend_chart(
    periods: Sequence[str], series: Sequence[Series], *, title: str, label_every: int = 2
) -> bytes:
    """Lines over ``periods`` (one value per period in each ``Series``), with a legend
    naming the lines and every ``label_every``-th period written under the axis."""
    largest = max((max(s.values, default=0) for s in series), default=0)
    scale = ticks(largest)
    chart = pygal.Line(
        **_config(
            height=TREND_HEIGHT,
            show_legend=True,
            legend_at_bottom=True,
            legend_box_size=12,
            show_x_guides=False,
            show_minor_x_labels=False,
            x_labels_major_every=label_every,
            dots_size=3,
            y_labels=scale,
            range=(0, scale[-1]),
            include_x_axis=True,
            truncate_legend=-1,
            truncate_label=-1,
        )
    )
    chart.x_labels = list(periods)
    for line in series:
        chart.add(line.name, list(line.values))
    return _render(chart, title)
