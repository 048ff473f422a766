"""Naming another case in a form (the case this one repeats): by its tracking code, what an
officer sees on every case page and in every alert and can read off a phone, or by its id.

A code is looked up in the person's area before the form is sent; one that names no case
there is refused beside the box, in the person's language, as intake would refuse a wrong id.
"""

from __future__ import annotations

from flask_babel import gettext as _

from services.console.cases import gateway
from services.console.clients.base import Refused
from services.console.web.person import Person
from shared.tracking_codes import normalise_tracking_code


def case_id_for(person: Person, typed: str, field: str) -> str:
    """The id of the case ``typed`` names (a tracking code, or an id passed on for intake to
    judge); Refused, naming ``field``, when a code names no case in the person's area."""
    code = normalise_tracking_code(typed)
    if code is None:
        return typed.strip()
    found = gateway.cases(person, [("tracking_code", code), ("limit", "1")])
    items = found.get("items") or []
    if items:
        return str(items[0]["id"])
    message = _("Tidak ada kasus dengan kode lacak ini di wilayah Anda.")
    raise Refused(422, {"detail": message, "errors": [{"field": field, "message": message}]})
