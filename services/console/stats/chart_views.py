"""Each chart of the statistics page as its own SVG answer, shown on the page with ``<img>``.

The chart's own inline styles need a policy of their own (``CHART_POLICY``: no script, no
other source, its styles only); the page keeps the strict one. A chart is the figures of the
person's area: the browser may keep it for a few minutes, for that person only.
"""

from __future__ import annotations

from typing import Final

from flask import Response, abort, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from services.console.stats import figures, gateway
from services.console.stats.blueprint import bp
from services.console.stats.forms import filter_form
from services.console.stats.overview import local_today
from services.console.web.person import current_person
from services.console.web.security import CHART_POLICY, talisman

KEEP_SECONDS: Final = 300


@bp.get("/statistik/grafik/<name>.svg")
@talisman(content_security_policy=CHART_POLICY)
@login_required
def chart(name: str) -> ResponseReturnValue:
    if name not in figures.KNOWN:
        abort(404)
    person = current_person()
    form = filter_form(person, request.args, csrf=False)
    if not form.validate():
        abort(404)
    today, zone = local_today()
    stats = gateway.statistics(person, form.statistics_query(today=today, zone=zone))
    figure = figures.figure(stats, name)
    if figure is None:
        abort(404)
    response = Response(figure.svg(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"private, max-age={KEEP_SECONDS}"
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)
