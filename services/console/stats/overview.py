"""The statistics page: key figures, then each chart beside its table, the filters in the
URL (so a view can be bookmarked and shared), and the form that exports the same cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_timezone
from flask_babel import gettext as _
from flask_login import login_required

from services.console.stats import charts, figures, gateway, period
from services.console.stats.blueprint import bp
from services.console.stats.forms import PERIOD_LABELS, FilterForm, filter_form
from services.console.stats.quality import quality_table
from services.console.web.labels import region_label
from services.console.web.person import Person, current_person


def local_today() -> tuple[date, Any]:
    """Today in the person's time zone, and that zone (periods are days there)."""
    zone = get_timezone()
    return datetime.now(zone).date(), zone


@bp.get("/statistik")
@login_required
def overview() -> ResponseReturnValue:
    person = current_person()
    form = filter_form(person, request.args, csrf=False)
    return render_page(person, form, valid=form.validate())


def chart_src(name: str, pairs: list[tuple[str, str]]) -> str:
    return f"{url_for('stats.chart', name=name)}?{urlencode(pairs)}"


def chart_height(figure: figures.Figure) -> int:
    """The drawn height, so the page keeps the chart's room before the image arrives."""
    if figure.series:
        return charts.TREND_HEIGHT
    return charts.bar_chart_height(sum(1 for row in figure.rows if row.bar is not None))


def period_text(form: FilterForm, today: date, zone: Any) -> str:
    """The period in words: "90 hari terakhir (sejak 5 Sep 2024)" or "1 Okt – 30 Nov 2024"."""
    span = form.bounds(today=today, zone=zone)
    if form.period.data == period.CUSTOM:
        return str(
            _(
                "%(first)s sampai %(last)s",
                first=format_date(form.start.data, "d MMM yyyy"),
                last=format_date(form.end.data, "d MMM yyyy"),
            )
        )
    return str(
        _(
            "%(period)s (sejak %(day)s)",
            period=PERIOD_LABELS[str(form.period.data)],
            day=format_date(span.start.date(), "d MMM yyyy"),
        )
    )


def render_page(
    person: Person,
    form: FilterForm,
    *,
    valid: bool,
    export_error: str | None = None,
    status: int | None = None,
) -> ResponseReturnValue:
    """The page for ``form``'s filters; without figures while the filters are wrong."""
    context: dict[str, Any] = {
        "form": form,
        "area": region_label(form.region_code or person.region),
        "export_error": export_error,
        "key_figures": [],
        "figures": [],
        "pairs": [],
        "period_text": "",
        "quality": None,
        # Closed while it shows the usual view; open when there is something to see in it.
        "filters_open": True,
    }
    if not valid:
        return render_template("stats/overview.html", **context), status or 422
    today, zone = local_today()
    stats = gateway.statistics(person, form.statistics_query(today=today, zone=zone))
    pairs = form.pairs()
    context.update(
        key_figures=figures.key_figures(stats),
        figures=[
            {
                "figure": f,
                "src": chart_src(f.name, pairs),
                "width": charts.WIDTH,
                "height": chart_height(f),
            }
            for f in figures.all_figures(stats)
        ],
        pairs=pairs,
        filters_open=pairs != [("period", period.DEFAULT)],
        period_text=period_text(form, today, zone),
        total=int(stats.get("total") or 0),
        quality=quality_table(person, form.region_code or person.region),
    )
    return render_template("stats/overview.html", **context), status or 200
