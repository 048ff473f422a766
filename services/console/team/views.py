"""The supervisor's tools: the team board, bulk actions from the queue, the people of the
area and their sessions. Every address of the family is in this table; the views live in
modules named for their pages.

Supervisors see their regency, operators their province (grouped by regency); auditors read
the board, the people and the sessions and change nothing; officers get the 403 page.
"""

from __future__ import annotations

from flask import Blueprint

from services.console.team import (
    board_page,
    bulk_page,
    people_list,
    person_actions,
    person_edit,
    sessions_page,
)

bp = Blueprint("team", __name__)

_ROUTES = (
    ("/tim", "board", board_page.board, ("GET",)),
    ("/tim/massal", "bulk", bulk_page.bulk, ("POST",)),
    ("/tim/orang", "people", people_list.people, ("GET",)),
    ("/tim/orang/baru", "new_person", person_edit.new_person, ("GET", "POST")),
    ("/tim/orang/<officer_id>", "person_page", people_list.person_page, ("GET",)),
    ("/tim/orang/<officer_id>/ubah", "edit_person", person_edit.edit_person, ("GET", "POST")),
    ("/tim/orang/<officer_id>/undang", "invite", person_actions.invite, ("POST",)),
    (
        "/tim/orang/<officer_id>/nonaktifkan",
        "deactivate",
        person_actions.deactivate,
        ("GET", "POST"),
    ),
    ("/tim/orang/<officer_id>/aktifkan", "reactivate", person_actions.reactivate, ("POST",)),
    ("/tim/sesi", "sessions", sessions_page.sessions, ("GET",)),
    ("/tim/sesi/<session_id>/akhiri", "end_session", sessions_page.end_session, ("GET", "POST")),
)
for rule, endpoint, view, methods in _ROUTES:
    bp.add_url_rule(rule, endpoint, view, methods=list(methods))
