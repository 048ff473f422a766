"""What the statistics page shows, made from intake's answer: the key figures, and each
chart with its table and its text alternative.

A chart and its table are built from the same rows, so the picture and the accessible
version cannot disagree. Words and numbers come out in the person's language (the labels
and Babel's formats); nothing here asks a service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _

from services.console.stats.charts import Bar, Series, bar_chart, trend_chart
from services.console.web.labels import STATUS_LABELS, category, region_label, status_label
from shared.regions import region_name

UNCLASSIFIED: Final = "unclassified"
# Items an alternative text names before it points to the table for the rest.
ALT_ITEMS: Final = 6
NO_FIGURE: Final = "–"

Json = Mapping[str, Any]


@dataclass(frozen=True)
class Row:
    """One line of a table; ``bar`` is its bar in the chart (None: not drawn, e.g. a
    regency without any closed case has no share to show)."""

    label: str
    cells: tuple[str, ...]
    bar: Bar | None = None


@dataclass(frozen=True)
class Figure:
    """One chart (``name`` is its address) with its table and text alternative."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    alt: str
    maximum: float | None = None
    periods: tuple[str, ...] = ()
    series: tuple[Series, ...] = field(default=())

    @property
    def drawable(self) -> bool:
        """Whether there is anything to draw (else the page says so, in words)."""
        if self.series:
            return any(any(s.values) for s in self.series)
        # A bar of length 0 (0 % on time, an action within the minute) is still a figure.
        return any(row.bar is not None for row in self.rows)

    def svg(self) -> bytes:
        """The chart as an SVG document."""
        if self.series:
            return trend_chart(self.periods, self.series, title=self.alt)
        bars = [row.bar for row in self.rows if row.bar is not None]
        return bar_chart(bars, title=self.alt, maximum=self.maximum)


@dataclass(frozen=True)
class KeyFigure:
    """A number worth reading first, what it is, and what it is made of."""

    label: str
    value: str
    detail: str


# ------------------------------------------------------------------------------ words


def count(value: object) -> str:
    return str(format_decimal(int(value or 0)))  # type: ignore[call-overload]


def share(part: int, whole: int) -> str:
    return str(format_percent(part / whole)) if whole else NO_FIGURE


def duration(hours: float | None) -> str:
    """Hours as people say them: minutes under an hour, days from two days on."""
    if hours is None:
        return NO_FIGURE
    if hours < 1:
        return str(_("%(n)s menit", n=format_decimal(round(hours * 60))))
    if hours < 48:
        return str(_("%(n)s jam", n=format_decimal(round(hours, 1))))
    return str(_("%(n)s hari", n=format_decimal(round(hours / 24, 1))))


def category_name(code: str) -> str:
    return _("Belum diklasifikasi") if code == UNCLASSIFIED else category(code)


def short_region(code: str) -> str:
    """A regency's name short enough for a chart's label ("Kab. Karo")."""
    name = region_name(code) if code != "unknown" else None
    if not name:
        return code
    return name.replace("Kabupaten ", "Kab. ")


def week_label(day: str) -> str:
    """A week's Monday (YYYY-MM-DD) as "4 Nov"."""
    try:
        return str(format_date(date.fromisoformat(day), "d MMM"))
    except ValueError:
        return day


def _no_data(title: str) -> str:
    """The text alternative of an empty chart (its words marked outside the f-string, where
    pybabel finds them)."""
    empty = _("tidak ada data")
    return f"{title}: {empty}."


def _alt(title: str, rows: Iterable[Row]) -> str:
    drawn = [row for row in rows if row.bar is not None]
    named = ", ".join(f"{row.label} {row.bar.shown}" for row in drawn[:ALT_ITEMS] if row.bar)
    text = f"{title}: {named}." if named else _no_data(title)
    if len(drawn) > ALT_ITEMS:
        text += " " + _("Dan %(n)s lainnya di tabel.", n=len(drawn) - ALT_ITEMS)
    return text


# ------------------------------------------------------------------------------ figures


def _counts(
    name: str,
    title: str,
    heading: str,
    counts: Mapping[str, int],
    label: Callable[[str], str],
    chart_label: Callable[[str], str],
    order: Callable[[tuple[str, int]], Any],
    total: int,
) -> Figure:
    rows = tuple(
        Row(
            label=label(code),
            cells=(count(n), share(n, total)),
            bar=Bar(chart_label(code), n, count(n)),
        )
        for code, n in sorted(counts.items(), key=order)
    )
    return Figure(
        name=name,
        title=title,
        columns=(heading, _("Kasus"), _("Bagian")),
        rows=rows,
        alt=_alt(title, rows),
    )


def _by_count(item: tuple[str, int]) -> Any:
    return (-item[1], item[0])


_STATUS_ORDER: Final = {code: i for i, code in enumerate(STATUS_LABELS)}


def _by_workflow(item: tuple[str, int]) -> Any:
    return (_STATUS_ORDER.get(item[0], len(_STATUS_ORDER)), item[0])


def trend(stats: Json) -> Figure:
    weeks = list(stats.get("weekly") or [])
    periods = tuple(week_label(str(w["week_start"])) for w in weeks)
    received = tuple(int(w["received"]) for w in weeks)
    closed = tuple(int(w["closed"]) for w in weeks)
    title = _("Kasus masuk dan selesai per minggu")
    rows = tuple(
        Row(label=period, cells=(count(r), count(c)))
        for period, r, c in zip(periods, received, closed, strict=True)
    )
    if periods:
        busiest = max(range(len(received)), key=lambda i: (received[i], i))
        alt = _(
            "%(title)s, %(first)s sampai %(last)s: %(received)s masuk, %(closed)s selesai. "
            "Paling banyak masuk pada minggu %(week)s (%(most)s).",
            title=title,
            first=periods[0],
            last=periods[-1],
            received=count(sum(received)),
            closed=count(sum(closed)),
            week=periods[busiest],
            most=count(received[busiest]),
        )
    else:
        alt = _no_data(title)
    return Figure(
        name="tren",
        title=title,
        columns=(_("Minggu mulai"), _("Diterima"), _("Ditutup")),
        rows=rows,
        alt=alt,
        periods=periods,
        series=(Series(_("Diterima"), received), Series(_("Ditutup"), closed)),
    )


def by_category(stats: Json) -> Figure:
    return _counts(
        "kategori",
        _("Kasus per kategori"),
        _("Kategori"),
        stats.get("by_category") or {},
        category_name,
        category_name,
        _by_count,
        int(stats.get("total") or 0),
    )


def by_status(stats: Json) -> Figure:
    return _counts(
        "status",
        _("Kasus per status"),
        _("Status"),
        stats.get("by_status") or {},
        status_label,
        status_label,
        _by_workflow,
        int(stats.get("total") or 0),
    )


def by_regency(stats: Json) -> Figure:
    return _counts(
        "wilayah",
        _("Kasus per kabupaten/kota"),
        _("Kabupaten/kota"),
        stats.get("by_regency") or {},
        region_label,
        short_region,
        _by_count,
        int(stats.get("total") or 0),
    )


def _regencies(stats: Json) -> list[Json]:
    return sorted(stats.get("regencies") or [], key=lambda r: str(r["region_code"]))


def deadline_by_regency(stats: Json) -> Figure:
    title = _("Selesai dalam tenggat, per kabupaten/kota")
    rows = []
    for regency in _regencies(stats):
        figures = regency["closed_within_deadline"]
        closed, within = int(figures["closed_with_deadline"]), int(figures["within_deadline"])
        code = str(regency["region_code"])
        bar = None
        if closed:
            bar = Bar(short_region(code), 100 * within / closed, share(within, closed))
        rows.append(
            Row(region_label(code), (count(closed), count(within), share(within, closed)), bar)
        )
    return Figure(
        name="tenggat",
        title=title,
        columns=(_("Kabupaten/kota"), _("Selesai (bertenggat)"), _("Tepat waktu"), _("Persen")),
        rows=tuple(rows),
        alt=_alt(title, rows),
        maximum=100,
    )


def first_action_by_regency(stats: Json) -> Figure:
    title = _("Waktu sampai tindakan pertama (median), per kabupaten/kota")
    rows = []
    for regency in _regencies(stats):
        figures = regency["time_to_first_action"]
        median, mean = figures.get("median_hours"), figures.get("mean_hours")
        code = str(regency["region_code"])
        bar = None
        if median is not None:
            bar = Bar(short_region(code), float(median), duration(median))
        rows.append(
            Row(
                region_label(code),
                (count(figures.get("count")), duration(median), duration(mean)),
                bar,
            )
        )
    return Figure(
        name="tindakan",
        title=title,
        columns=(_("Kabupaten/kota"), _("Kasus diukur"), _("Median"), _("Rata-rata")),
        rows=tuple(rows),
        alt=_alt(title, rows),
    )


_BUILDERS: Final = {
    "tren": trend,
    "kategori": by_category,
    "status": by_status,
    "wilayah": by_regency,
    "tenggat": deadline_by_regency,
    "tindakan": first_action_by_regency,
}
_PER_REGENCY: Final = ("wilayah", "tenggat", "tindakan")
# Every chart's address, whatever an answer holds.
KNOWN: Final = tuple(_BUILDERS)


def names(stats: Json) -> tuple[str, ...]:
    """The charts of this answer, in the page's order (per regency: provincial views only)."""
    if stats.get("regencies") is None:
        return tuple(name for name in _BUILDERS if name not in _PER_REGENCY)
    return tuple(_BUILDERS)


def figure(stats: Json, name: str) -> Figure | None:
    """One chart of the answer, or None if it has no such chart."""
    return _BUILDERS[name](stats) if name in names(stats) else None


def all_figures(stats: Json) -> list[Figure]:
    return [_BUILDERS[name](stats) for name in names(stats)]


def key_figures(stats: Json) -> list[KeyFigure]:
    """Total, on-time share, time to first action and to closing."""
    total = int(stats.get("total") or 0)
    deadline = stats.get("closed_within_deadline") or {}
    closed = int(deadline.get("closed_with_deadline") or 0)
    within = int(deadline.get("within_deadline") or 0)
    first = stats.get("time_to_first_action") or {}
    close = stats.get("time_to_close") or {}
    return [
        KeyFigure(_("Kasus masuk"), count(total), _("dalam periode ini")),
        KeyFigure(
            _("Selesai dalam tenggat"),
            share(within, closed),
            _(
                "%(within)s dari %(closed)s kasus selesai yang punya tenggat",
                within=count(within),
                closed=count(closed),
            ),
        ),
        KeyFigure(
            _("Sampai tindakan pertama"),
            duration(first.get("median_hours")),
            _(
                "median; rata-rata %(mean)s, dari %(n)s kasus",
                mean=duration(first.get("mean_hours")),
                n=count(first.get("count")),
            ),
        ),
        KeyFigure(
            _("Sampai selesai"),
            duration(close.get("median_hours")),
            _(
                "median; rata-rata %(mean)s, dari %(n)s kasus",
                mean=duration(close.get("mean_hours")),
                n=count(close.get("count")),
            ),
        ),
    ]
