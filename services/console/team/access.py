"""Who may open the team pages: supervisors (their regency), operators (their province) and
auditors (reading only). Officers get the 403 page; the services refuse the same anyway, this
only spares them a page that could show nothing."""

from __future__ import annotations

from flask import abort

from services.console.web.person import Person, current_person


def watcher() -> Person:
    """The signed-in person, if they may read the team pages (else 403)."""
    person = current_person()
    if not person.watches:
        abort(403)
    return person


def manager() -> Person:
    """The signed-in person, if they may change the team (else 403)."""
    person = current_person()
    if not person.manages:
        abort(403)
    return person
