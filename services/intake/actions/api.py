"""Officers working a case: status changes, acknowledgement, comments, requests for more
information, reassignment, transfer, duplicate links and the audit trail.

Every change names the version of the case the officer last read (``version`` in the body):
a stale one answers 409 with the current version instead of overwriting someone else's work.
Each view validates its body, then hands a ``decide`` function to ``case_actions.apply``,
which runs it inside the transaction that stores the change, its events and its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field

from services.intake.actions import audit, audit_reads
from services.intake.actions import plans as case_plans
from services.intake.actions import status_machine as sm
from services.intake.actions import write as case_actions
from services.intake.actions.answers import AuditTrail
from services.intake.actions.errors import ActionRefused
from services.intake.actions.refusals import problem_for
from services.intake.cases.answers import CaseDetail
from services.intake.cases.api import find_visible_case
from services.intake.cases.presenters import case_detail
from services.intake.directory import officers as directory
from shared.auth import MANAGERS, OVERSEERS, STAFF, Principal, current_principal, requires
from shared.contracts import CASE_ID_PATTERN
from shared.openapi import operation
from shared.problems import Problem, problem_response
from shared.regions import parse_region_code, province_of
from shared.request_input import parse_body, parse_query

bp = Blueprint("actions", __name__)

MAX_ACTION_BYTES = 16 * 1024
MAX_COMMENT = 4000
_CASE_ID = rf"^{CASE_ID_PATTERN}$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(ge=1, le=1_000_000, description="The case version you last read")


class StatusChangeBody(_Body):
    status: sm.Status
    reason: str | None = Field(default=None, min_length=1, max_length=2000)
    note: str | None = Field(default=None, min_length=1, max_length=MAX_COMMENT)
    finding: sm.Finding | None = None
    sanction_level: Literal["ringan", "sedang", "berat", "ptdh", "etik"] | None = None
    decision_ref: str | None = Field(default=None, min_length=1, max_length=100)
    duplicate_of: str | None = Field(default=None, pattern=_CASE_ID)


class ReopenBody(_Body):
    reason: str = Field(min_length=3, max_length=2000)


class AcknowledgeBody(_Body):
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="Why, when someone acknowledges for the assigned officer (kept in the "
        "timeline and the audit entry)",
    )


class CommentBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Optional for comments: adding one never overwrites anything, so two officers writing
    # at once both succeed; given, it is checked like any other change.
    version: int | None = Field(default=None, ge=1, le=1_000_000)
    text: str = Field(min_length=1, max_length=MAX_COMMENT)
    visibility: Literal["internal", "reporter"] = "internal"


class InformationRequestBody(_Body):
    question: str = Field(min_length=5, max_length=2000)


class ReassignBody(_Body):
    officer_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=3, max_length=2000)


class TransferBody(_Body):
    region_code: str = Field(min_length=2, max_length=5)
    reason: str = Field(min_length=3, max_length=2000)


class DuplicateLinkBody(_Body):
    case_id: str = Field(pattern=_CASE_ID)


class VersionQuery(BaseModel):
    version: int = Field(ge=1, le=1_000_000, description="The case version you last read")


B = TypeVar("B", bound=BaseModel)
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# What each refusal of an officer's action means.
_TEXTS = {
    403: "The key's role may not do this, or the case is another officer's.",
    404: "No such case, or not in your region.",
    409: "Stale version (reload the case), or a change the case's status does not allow "
    "('allowed' lists what is).",
    422: "Invalid or missing fields; 'errors' names each.",
}
_CHANGED = "The case after the change, with its new version and the statuses allowed next."


def _action(
    summary: str, body: type[BaseModel], description: str | None = None
) -> Callable[[F], F]:
    """The description of an action that posts ``body`` and answers with the changed case."""
    return operation(
        summary=summary,
        description=description,
        body=body,
        answers={200: (CaseDetail, _CHANGED)},
        problems=(400, 401, 403, 404, 409, 413, 415, 422, 503),
        texts=_TEXTS,
    )


@dataclass(frozen=True)
class _Action(Generic[T]):
    """What every action starts from: the case as the caller may see it, the validated body,
    who asks and when."""

    case: dict[str, Any]
    body: T
    principal: Principal
    now: datetime


def _found(case_id: str) -> _Action[None]:
    """An action without a body: the visible case (404 first), who asks and when."""
    principal = current_principal()
    return _Action(find_visible_case(case_id, principal), None, principal, datetime.now(UTC))


def _begin(case_id: str, model: type[B]) -> _Action[B]:
    """Find the case first, so another tenant gets 404 before its body is even looked at."""
    found = _found(case_id)
    body = parse_body(model, max_bytes=MAX_ACTION_BYTES)
    return _Action(found.case, body, found.principal, found.now)


def _officer_may_act(principal: Principal, doc: dict[str, Any]) -> None:
    """An officer whose key names them works on the cases assigned to them; supervisors and
    operators on every case they can see."""
    officer_id = principal.officer_id
    if principal.role != "officer" or officer_id is None:
        return
    assignee = ((doc.get("triage") or {}).get("assignee") or {}).get("officer_id")
    if assignee != officer_id:
        raise Problem(
            403,
            "This case is assigned to another officer; ask your supervisor to reassign it.",
        )


def _answer(doc: dict[str, Any], status: int = 200) -> ResponseReturnValue:
    body = case_detail(doc)
    body["allowed_statuses"] = case_plans.allowed(doc)
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = f'"v{case_actions.version_of(doc)}"'
    return response


def _apply(
    action: _Action[Any],
    version: int | None,
    decide: case_actions.Decide,
    *,
    check_officer: bool = True,
) -> ResponseReturnValue:
    """Apply ``decide`` to the case the view found visible (read first, so another tenant
    gets 404 before its body is even looked at); the transaction reads it again. The change,
    its audit entry and its events carry the action's one moment."""
    case_id = str(action.case["_id"])
    if check_officer:
        _officer_may_act(action.principal, action.case)
    stored = case_actions.apply(
        case_id,
        principal=action.principal,
        expected_version=version,
        request_id=g.get("request_id"),
        now=action.now,
        correlation_id=g.get("request_id") or case_id,
        decide=decide,
    )
    return _answer(stored)


# Registered for the whole app, not only this blueprint: evidence uploads are written through
# ``case_actions.apply`` too, and are refused the same way.
@bp.app_errorhandler(ActionRefused)
def _refused(refused: ActionRefused) -> ResponseReturnValue:
    return problem_response(problem_for(refused))


# --- status -------------------------------------------------------------------------------------


@bp.post("/v1/cases/<case_id>/status")
@_action(
    "Change the case's status",
    StatusChangeBody,
    "Only the transitions of the case flow are allowed; a rejection, withdrawal, closure or "
    "pause needs a reason, a recommendation a finding (and a sanction level when proven), an "
    "imposed sanction its level and decision letter number.",
)
@requires(*STAFF)
def change_status(case_id: str) -> ResponseReturnValue:
    a = _begin(case_id, StatusChangeBody)
    body = a.body
    if body.duplicate_of:
        # The original must exist and be visible.
        find_visible_case(body.duplicate_of, a.principal)
    change = sm.Change(
        to=body.status,
        reason=body.reason,
        finding=body.finding,
        sanction_level=body.sanction_level,
        decision_ref=body.decision_ref,
        duplicate_of=body.duplicate_of,
    )
    return _apply(
        a,
        body.version,
        lambda doc: case_plans.status_change(
            doc, change, actor=a.principal.name, note=body.note, now=a.now
        ),
    )


@bp.post("/v1/cases/<case_id>/reopen")
@_action("Reopen a closed case (supervisor)", ReopenBody)
@requires(*MANAGERS)
def reopen(case_id: str) -> ResponseReturnValue:
    a = _begin(case_id, ReopenBody)
    return _apply(
        a,
        a.body.version,
        lambda doc: case_plans.reopen(doc, reason=a.body.reason, actor=a.principal.name, now=a.now),
        check_officer=False,
    )


@bp.post("/v1/cases/<case_id>/acknowledge")
@_action("Acknowledge an assigned case (stops reminders)", AcknowledgeBody)
@requires(*STAFF)
def acknowledge(case_id: str) -> ResponseReturnValue:
    a = _begin(case_id, AcknowledgeBody)
    return _apply(
        a,
        a.body.version,
        lambda doc: case_plans.acknowledge(
            doc, actor=a.principal.name, now=a.now, reason=a.body.reason
        ),
    )


# --- comments and questions to the reporter -----------------------------------------------


@bp.post("/v1/cases/<case_id>/comments")
@_action("Add a comment, internal or visible to the reporter", CommentBody)
@requires(*STAFF)
def add_comment(case_id: str) -> ResponseReturnValue:
    a = _begin(case_id, CommentBody)
    actor = case_actions.actor_of(a.principal)
    return _apply(
        a,
        a.body.version,
        lambda doc: case_plans.comment(
            doc, text=a.body.text, visibility=a.body.visibility, actor=actor, now=a.now
        ),
    )


@bp.post("/v1/cases/<case_id>/information-requests")
@_action("Ask the reporter for more information (the clock pauses)", InformationRequestBody)
@requires(*STAFF)
def request_information(case_id: str) -> ResponseReturnValue:
    a = _begin(case_id, InformationRequestBody)
    actor = case_actions.actor_of(a.principal)
    return _apply(
        a,
        a.body.version,
        lambda doc: case_plans.request_information(
            doc, question=a.body.question, actor=actor, now=a.now
        ),
    )


# --- reassignment and transfer ------------------------------------------------------------


@bp.post("/v1/cases/<case_id>/reassign")
@_action("Give the case to another officer of its regency (supervisor)", ReassignBody)
@requires(*MANAGERS)
def reassign(case_id: str) -> ResponseReturnValue:
    a = _begin(case_id, ReassignBody)
    body, principal = a.body, a.principal
    officer = directory.lookup(body.officer_id)
    if officer is None or not principal.can_see(str(officer.get("region", ""))):
        raise Problem(
            422,
            f"No active officer {body.officer_id} in your area.",
            errors=[{"field": "officer_id", "message": "unknown or inactive", "code": "unknown"}],
        )
    recipient = directory.as_recipient(officer)
    return _apply(
        a,
        body.version,
        lambda doc: case_plans.reassign(
            doc, officer=officer, recipient=recipient, reason=body.reason, actor=principal.name
        ),
        check_officer=False,
    )


def _transfer_target(principal: Principal, requested: str) -> str:
    try:
        region = parse_region_code(requested)
    except ValueError as exc:
        raise Problem(
            422,
            "The region code is not valid.",
            errors=[{"field": "region_code", "message": str(exc), "code": "region"}],
        ) from exc
    own_province = province_of(principal.region)
    if province_of(region.code) != own_province:
        raise Problem(
            422,
            f"Cases move within province {own_province} only (to a regency, or up to it).",
            errors=[{"field": "region_code", "message": "outside your province", "code": "tenant"}],
        )
    return region.code


@bp.post("/v1/cases/<case_id>/transfer")
@_action("Move the case to another regency or up to the province (supervisor)", TransferBody)
@requires(*MANAGERS)
def transfer(case_id: str) -> ResponseReturnValue:
    a = _begin(case_id, TransferBody)
    target = _transfer_target(a.principal, a.body.region_code)
    return _apply(
        a,
        a.body.version,
        lambda doc: case_plans.transfer(
            doc, to_tenant=target, reason=a.body.reason, actor=a.principal.name, now=a.now
        ),
        check_officer=False,
    )


# --- duplicates ------------------------------------------------------------------------------


@bp.post("/v1/cases/<case_id>/duplicates")
@_action("Link another case as a duplicate of this one", DuplicateLinkBody)
@requires(*STAFF)
def link_duplicate(case_id: str) -> ResponseReturnValue:
    a = _begin(case_id, DuplicateLinkBody)
    find_visible_case(a.body.case_id, a.principal)
    return _apply(a, a.body.version, lambda doc: case_plans.link_duplicate(doc, a.body.case_id))


@bp.delete("/v1/cases/<case_id>/duplicates/<other_id>")
@operation(
    summary="Remove a duplicate link",
    query=VersionQuery,
    answers={200: (CaseDetail, "The case after the change.")},
    problems=(401, 403, 404, 409, 422, 503),
    texts=_TEXTS,
)
@requires(*STAFF)
def unlink_duplicate(case_id: str, other_id: str) -> ResponseReturnValue:
    a = _found(case_id)
    version = parse_query(
        VersionQuery, detail="Say which version of the case you last read (?version=N)."
    ).version
    return _apply(a, version, lambda doc: case_plans.unlink_duplicate(doc, other_id))


# --- audit trail ---------------------------------------------------------------------------


@bp.get("/v1/cases/<case_id>/audit")
@operation(
    summary="The case's audit trail and whether its hash chain verifies",
    answers={200: (AuditTrail, "Entries, oldest first.")},
    problems=(401, 403, 404, 503),
    texts=_TEXTS,
)
@requires(*OVERSEERS)
def audit_trail(case_id: str) -> ResponseReturnValue:
    """The case's audit entries, oldest first, and whether the chain verifies."""
    case = find_visible_case(case_id, current_principal())
    entries = audit_reads.trail_of(case_id)
    # Checked against the case just read: the trail is read once.
    verdict = audit.verify(case_id, entries, case.get("audit_head"))
    return jsonify(
        {
            "case_id": case_id,
            "intact": verdict.intact,
            "problems": list(verdict.problems),
            "items": [{k: v for k, v in e.items() if k != "_id"} for e in entries],
        }
    )
