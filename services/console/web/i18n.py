"""Languages and time zones: Bahasa Indonesia by default, English on request; times in the
person's zone (WIB, WITA or WIT).

Texts live in Babel catalogues (``translations/``); templates and code mark them with
``_()``. The source language is Indonesian, the default, so a page reads correctly even
where a translation is missing. A person's language and zone come from their directory
entry at sign-in; anyone may switch language with ``?lang=en`` (kept in the session).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from flask import Flask, request, session
from flask_babel import Babel, format_datetime, get_timezone

from shared import dates

LANGUAGES: Final = ("id", "en")
DEFAULT_ZONE: Final = "Asia/Jakarta"
# Indonesia's civil zones by the names people use.
ZONE_NAMES: Final = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

babel = Babel()


def install(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "id")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE)
    babel.init_app(app, locale_selector=select_language, timezone_selector=select_zone)

    @app.before_request
    def _language_switch() -> None:
        wanted = request.args.get("lang")
        if wanted in LANGUAGES:
            session["lang"] = wanted

    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["clock_time"] = clock_time
    app.jinja_env.filters["soon"] = soon
    app.jinja_env.globals["zone_name"] = zone_name


def select_language() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "id"


def select_zone() -> str:
    chosen = session.get("tz")
    return chosen if chosen in ZONE_NAMES else DEFAULT_ZONE


def zone_name() -> str:
    """The short name of the person's zone (WIB, WITA, WIT)."""
    return ZONE_NAMES.get(str(get_timezone()), "WIB")


def parse_moment(value: object) -> datetime | None:
    """A datetime from an ISO string (as the services send), or None; one without a zone is
    read as UTC, as the services store them."""
    if isinstance(value, datetime):
        return dates.aware(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return dates.aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def when(value: object) -> str:
    """A moment as "2 Des 2026 14.05 WITA" in the person's zone and language."""
    moment = parse_moment(value)
    if moment is None:
        return ""
    return f"{format_datetime(moment, 'd MMM yyyy HH.mm')} {zone_name()}"


def clock_time(value: object) -> str:
    """The time of day of a moment, "23.59 WIB", in the person's zone."""
    moment = parse_moment(value)
    if moment is None:
        return ""
    return f"{format_datetime(moment, 'HH.mm')} {zone_name()}"


def soon(value: object) -> str:
    """A moment coming soon: its time of day when it falls today in the person's zone (a
    digest within the rate window), else its date and time (after the night's quiet hours)."""
    moment = parse_moment(value)
    if moment is None:
        return ""
    today = format_datetime(datetime.now(UTC), "yyyy-MM-dd")
    return clock_time(moment) if format_datetime(moment, "yyyy-MM-dd") == today else when(moment)


def day(value: object) -> str:
    """A date as "Rabu, 2 Des 2026" in the person's zone and language."""
    moment = parse_moment(value)
    if moment is None:
        return ""
    return str(format_datetime(moment, "EEEE, d MMM yyyy"))
