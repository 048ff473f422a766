"""The case page: everything needed to decide, and the actions allowed now, on one page.

It is drawn from intake (the case, its timeline, version, allowed next statuses, evidence,
audit trail), triage (the proposal, why, the clock) and notify (the alerts sent). Actions
post back here; a refused action draws the page again with the person's form, its errors
and what was typed (see ``actions``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from flask_wtf import FlaskForm

from services.console.cases import gateway, visits
from services.console.cases.explanation import named_explanation
from services.console.cases.forms import (
    AcknowledgeForm,
    CommentForm,
    DuplicateForm,
    InformationRequestForm,
    OverrideForm,
    ReassignForm,
    ReopenForm,
    RevealForm,
    StatusForm,
    TransferForm,
)
from services.console.cases.timeline import Line, lines, related_cases
from services.console.web.i18n import parse_moment
from services.console.web.labels import region_label
from services.console.web.person import Person, current_person
from shared.regions import named_regencies, province_of

bp = Blueprint("case_page", __name__)

# What each next status asks for on its form (intake checks the same and answers 422).
STATUS_FIELDS: dict[str, tuple[str, ...]] = {
    "verified": ("note",),
    "rejected": ("reason",),
    "under_examination": ("note",),
    "recommendation_issued": ("finding", "sanction_level", "note"),
    "awaiting_ppk": ("note",),
    "sanction_imposed": ("sanction_level", "decision_ref"),
    "closed": ("reason",),
    "duplicate": ("duplicate_of", "note"),
    "withdrawn": ("reason",),
    "received": ("note",),
}
# Statuses reached through their own forms, not the status buttons.
_OWN_FORMS = frozenset({"awaiting_info"})
CLOSED = frozenset({"rejected", "sanction_imposed", "closed", "duplicate", "withdrawn"})


@dataclass(frozen=True)
class Changed:
    """What changed on the case since the person read it at ``since`` (everything when the
    moment is not known)."""

    since: datetime | None

    def lines(self, drawn: Sequence[Line]) -> list[Line]:
        """The timeline's lines after ``since``, worded as the timeline words them."""
        since = self.since
        return [line for line in drawn if since is None or (parse_moment(line.at) or since) > since]


@bp.get("/k/<case_id>")
def short(case_id: str) -> ResponseReturnValue:
    """The short address an SMS alert carries."""
    return redirect(url_for("case_page.case_page", case_id=case_id))


@bp.get("/kasus/<case_id>")
@login_required
def case_page(case_id: str) -> ResponseReturnValue:
    return render_case(current_person(), case_id)


def render_case(
    person: Person,
    case_id: str,
    *,
    forms: Mapping[str, FlaskForm] | None = None,
    open_form: str | None = None,
    stale: Changed | None = None,
    revealed: dict[str, Any] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """Draw the case page; ``forms`` replaces the named blank forms (a refused action's form
    with its errors), ``stale`` asks for what changed while the person was reading."""
    case, decision, deliveries, audit, evidence = gateway.together(
        lambda: gateway.case(person, case_id),
        lambda: gateway.decision(person, case_id),
        lambda: gateway.deliveries(person, case_id),
        lambda: gateway.audit(person, case_id),
        lambda: gateway.evidence(person, case_id),
    )
    # Cases the page links to are named by their title and code: an id says nothing to people.
    timeline = case.get("timeline") or []
    named = [*(linked_ids(decision) if decision else []), *related_cases(timeline)]
    linked = gateway.related(person, named) if named else {}
    drawn = lines(timeline)
    now = datetime.now(UTC)
    # The decision's clock carries the working days left, counted in the regency's calendar.
    clock = dict((decision or {}).get("clock") or {})
    version = int(case.get("version") or 1)
    built = blank_forms(person, case, version, now)
    built.update(forms or {})
    page = render_template(
        "cases/case.html",
        case=case,
        decision=decision,
        linked=linked,
        explanation=named_explanation((decision or {}).get("explanation"), linked),
        timeline=drawn,
        clock=clock or None,
        deliveries=deliveries,
        audit=audit,
        evidence=evidence,
        forms=built,
        open_form=open_form,
        targets=status_targets(case),
        status_fields=STATUS_FIELDS,
        may_act=may_act(person, case),
        stale=stale.lines(drawn) if stale is not None else None,
        revealed=revealed,
        closed=case.get("status") in CLOSED,
    )
    visits.mark_seen(person.officer_id, case_id, now)
    response = make_response(page, status)
    # A case page holds personal data: no shared cache keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


def linked_ids(decision: Mapping[str, Any]) -> list[str]:
    """The cases triage's decision points to: a possible repeat first, then related ones."""
    ids = [str(decision["duplicate_of"])] if decision.get("duplicate_of") else []
    return ids + [str(link["case_id"]) for link in decision.get("links") or []]


def may_act(person: Person, case: Mapping[str, Any]) -> bool:
    """Whether the person may change this case (intake decides; this only hides buttons)."""
    if person.role in ("supervisor", "operator"):
        return True
    if person.role != "officer":
        return False
    assignee = ((case.get("triage") or {}).get("assignee") or {}).get("officer_id")
    return bool(assignee == person.officer_id)


def status_targets(case: Mapping[str, Any]) -> list[str]:
    allowed = case.get("allowed_statuses") or []
    return [s for s in allowed if s not in _OWN_FORMS]


def blank_forms(
    person: Person, case: Mapping[str, Any], version: int, now: datetime
) -> dict[str, FlaskForm]:
    """Every form of the page, empty, on the version just read."""
    stamp = {"version": version, "loaded_at": now.isoformat()}
    forms: dict[str, FlaskForm] = {
        "acknowledge": AcknowledgeForm(data=stamp, formdata=None),
        "comment": CommentForm(data={"loaded_at": stamp["loaded_at"]}, formdata=None),
        "information": InformationRequestForm(data=stamp, formdata=None),
        "duplicate": DuplicateForm(data=stamp, formdata=None),
        "reopen": ReopenForm(data=stamp, formdata=None),
        "reveal": RevealForm(data={"loaded_at": stamp["loaded_at"]}, formdata=None),
        "override": OverrideForm(data={"loaded_at": stamp["loaded_at"]}, formdata=None),
    }
    for target in status_targets(case):
        forms[f"status:{target}"] = StatusForm(
            data={**stamp, "status": target}, formdata=None, prefix=f"s-{target}"
        )
    if person.manages:
        reassign = ReassignForm(data=stamp, formdata=None)
        reassign.officer_id.choices = officer_choices(person, str(case.get("tenant") or ""))
        forms["reassign"] = reassign
        transfer = TransferForm(data=stamp, formdata=None)
        transfer.region_code.choices = transfer_choices(str(case.get("tenant") or ""))
        forms["transfer"] = transfer
    return forms


def officer_choices(person: Person, tenant: str) -> list[tuple[str, str]]:
    """Active officers of the case's regency, for reassignment."""
    return [("", "—")] + [
        (str(o.get("officer_id") or o.get("id")), f"{o['name']} · {o.get('unit', '')}")
        for o in gateway.officers(person)
        if o.get("region") == tenant and o.get("role") in ("officer", "supervisor")
    ]


def transfer_choices(tenant: str) -> list[tuple[str, str]]:
    """Other regencies of the province, and the province itself."""
    if not tenant:
        return []
    province = province_of(tenant)
    regencies = [r for r in named_regencies(province) if r != tenant]
    return [(r, region_label(r)) for r in regencies] + [(province, region_label(province))]
