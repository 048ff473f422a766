"""The operators' pages' own menu: the pages the signed-in person's role may open."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from services.console.operate.access import CHECKERS, OPERATORS
from services.console.web.person import current_person

_PAGES = (
    ("health", "operate.home", _l("Kesehatan"), OPERATORS),
    ("keys", "operate.keys.index", _l("Kunci API"), CHECKERS),
    ("parked", "operate.parked.index", _l("Pesan tertahan"), OPERATORS),
    ("log", "operate.sign_ins.log", _l("Log masuk"), CHECKERS),
)


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    current: bool


def tabs(active: str) -> list[Tab]:
    """The menu for the signed-in person, ``active`` marked as the page shown."""
    role = current_person().role
    return [
        Tab(str(label), url_for(endpoint), name == active)
        for name, endpoint, label, roles in _PAGES
        if role in roles
    ]
