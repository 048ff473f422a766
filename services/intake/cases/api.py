"""Case submission (single and batch), listing, reading and the reporter's identity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pymongo.errors import PyMongoError

from services.intake.access import access_log
from services.intake.access.answers import AccessLogList, RevealResult
from services.intake.access.models import ReporterRecord
from services.intake.access.vault import VaultError
from services.intake.actions.plans import allowed
from services.intake.actions.write import version_of
from services.intake.cases import ordering
from services.intake.cases.answers import (
    BatchResult,
    CaseCreated,
    CaseDetail,
    CaseList,
    FiledCase,
    FiledCaseList,
)
from services.intake.cases.filters import CaseFilters, build_criteria, tenant_scope
from services.intake.cases.idempotency import Claim, Replay, body_fingerprint, check_key
from services.intake.cases.limits import count_submissions
from services.intake.cases.models import Case
from services.intake.cases.ordering import Sort
from services.intake.cases.presenters import case_summary
from services.intake.cases.readers import (
    case_view,
    may_read,
    reads_own_filings,
    refused_filters,
)
from services.intake.cases.schemas import (
    MAX_BATCH,
    BatchRequest,
    CaseSubmission,
    validate_submission,
)
from services.intake.cases.submission import register_case
from services.intake.deps import deps
from shared.auth import ANYONE, AUDITORS, FILERS, Principal, current_principal, requires
from shared.openapi import operation
from shared.paging import BadCursor, PageQuery, cursor_refused, limit_field
from shared.problems import Problem
from shared.regions import parse_region_code, timezone_for
from shared.request_input import invalid, json_body, parse_body, parse_query

bp = Blueprint("cases", __name__)

MAX_PAGE = 200
MAX_REVEAL_BYTES = 4096
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (a UUID): a retry with the same key and body replays "
    "the first answer instead of filing the case again.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
_KEY_IN_USE = "A request with this Idempotency-Key is still running; see Retry-After."


# --- tenancy -----------------------------------------------------------------------------------


def resolve_tenant(principal: Principal, payload: Any) -> str:
    """The regency a submission belongs to: the key's own, or one a provincial key names."""
    requested = payload.get("region_code") if isinstance(payload, dict) else None
    if not principal.is_provincial:
        if requested and requested != principal.region:
            raise Problem(
                403,
                f"This key files cases for {principal.region} only.",
                errors=[{"field": "region_code", "message": "not your regency", "code": "tenant"}],
            )
        return principal.region
    if not requested:
        raise Problem(
            422,
            "A provincial key must say which regency the case belongs to.",
            errors=[{"field": "region_code", "message": "required", "code": "missing"}],
        )
    try:
        region = parse_region_code(str(requested))
    except ValueError as exc:
        raise Problem(
            422,
            "The region code is not valid.",
            errors=[{"field": "region_code", "message": str(exc), "code": "region"}],
        ) from exc
    if region.is_province or not principal.can_see(region.code):
        raise Problem(
            422,
            f"Region {region.code} is not a regency of province {principal.region}.",
            errors=[{"field": "region_code", "message": "outside your province", "code": "tenant"}],
        )
    return region.code


def tenant_filter(principal: Principal) -> dict[str, Any]:
    """The query part that keeps a principal inside what it may see (for a province, its
    regencies and the cases transferred up to the province itself)."""
    return tenant_scope(principal)


def find_visible_case(case_id: str, principal: Principal) -> dict[str, Any]:
    """The case if it exists and the caller may see it; 404 otherwise (never 403: no probing).
    Another regency's case, and for a submitter another key's case, is one that does not
    exist (``readers.may_read``)."""
    try:
        oid = ObjectId(case_id)
    except (InvalidId, TypeError) as exc:
        raise Problem(404, "No case with this id.") from exc
    doc: dict[str, Any] | None = Case._get_collection().find_one({"_id": oid})
    if doc is None or not may_read(principal, doc):
        raise Problem(404, "No case with this id.")
    return doc


# --- submission --------------------------------------------------------------------------------


def _submit_one(
    payload: Any, principal: Principal, now: datetime, case_id: ObjectId | None
) -> tuple[dict[str, Any], bool]:
    tenant = resolve_tenant(principal, payload)
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k != "region_code"}
    try:
        submission = validate_submission(payload, now=now, tz=timezone_for(tenant))
    except ValidationError as exc:
        raise invalid(exc) from exc
    registered = register_case(
        submission,
        tenant=tenant,
        principal=principal,
        now=now,
        correlation_id=g.request_id,
        vault=deps().vault,
        case_id=case_id,
    )
    return registered.case, registered.created


Work = Callable[[Claim | None], tuple[int, dict[str, Any], dict[str, str]]]


def run_once(principal: Principal, payload: Any, work: Work) -> Response:
    """Run ``work`` once per Idempotency-Key; a retry with the same ``payload`` replays the
    first answer. ``work`` gets the key's claim (None without a key): the ids of the cases it
    creates, the same on every attempt. It returns the status, body and headers of the answer."""
    raw_key = request.headers.get("Idempotency-Key")
    if raw_key is None:
        status, body, headers = work(None)
        return _json(status, body, headers)
    key = check_key(raw_key)
    store = deps().idempotency
    claim = store.begin(principal.key_prefix, key, body_fingerprint(payload))
    if isinstance(claim, Replay):
        response = _json(claim.status, claim.body, claim.headers)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    try:
        status, body, headers = work(claim)
    except PyMongoError:
        # Failed on the database: its cases may be stored; the retry redoes it with their ids.
        store.unsure(principal.key_prefix, key)
        raise
    except BaseException:
        store.abandon(principal.key_prefix, key)
        raise
    try:
        store.finish(principal.key_prefix, key, status, body, headers)
    except PyMongoError:
        store.unsure(principal.key_prefix, key)
        raise
    return _json(status, body, headers)


def _json(status: int, body: dict[str, Any], headers: dict[str, str]) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    return response


@bp.post("/v1/cases")
@operation(
    summary="Submit a case",
    body=CaseSubmission,
    parameters=[IDEMPOTENCY_KEY],
    answers={
        201: (CaseCreated, "Case registered."),
        200: (CaseCreated, "Already registered (same source reference)."),
    },
    problems=(400, 401, 403, 409, 413, 415, 422, 429, 503),
    texts={409: _KEY_IN_USE},
)
@requires(*FILERS)
def submit_case() -> ResponseReturnValue:
    principal = current_principal()
    # Read, not yet validated: which regency's calendar the dates are read in depends on the
    # key and the body, and a retry with the same Idempotency-Key replays even a refusal.
    payload = json_body(deps().settings.max_body_bytes)

    def work(claim: Claim | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        count_submissions(principal)
        case_id = claim.object_id() if claim else None
        case, created = _submit_one(payload, principal, datetime.now(UTC), case_id)
        body = case_summary(case)
        body["created"] = created
        return (201 if created else 200), body, {"Location": body["links"]["self"]}

    return run_once(principal, payload, work)


@bp.post("/v1/cases:batch")
@operation(
    summary=f"Submit up to {MAX_BATCH} cases collected offline",
    body=BatchRequest,
    parameters=[IDEMPOTENCY_KEY],
    answers={200: (BatchResult, "A result per case, in order.")},
    problems=(400, 401, 403, 409, 413, 415, 422, 429),
    texts={409: _KEY_IN_USE},
)
@requires(*FILERS)
def submit_batch() -> ResponseReturnValue:
    principal = current_principal()
    batch = parse_body(
        BatchRequest,
        max_bytes=deps().settings.max_batch_bytes,
        detail=f'Send {{"cases": [ ... ]}}: one object with a list of 1 to {MAX_BATCH} cases; '
        "split larger sets.",
    )
    items = batch.cases
    payload = {"cases": items}

    def work(claim: Claim | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        count_submissions(principal, len(items))
        now = datetime.now(UTC)
        results: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            try:
                case_id = claim.object_id(index) if claim else None
                case, created = _submit_one(item, principal, now, case_id)
            except Problem as problem:
                results.append(
                    {
                        "index": index,
                        "result": "invalid",
                        "status": problem.status,
                        "detail": problem.detail,
                        "errors": problem.errors,
                    }
                )
                continue
            summary = case_summary(case)
            results.append(
                {
                    "index": index,
                    "result": "created" if created else "existing",
                    "id": summary["id"],
                    "tracking_code": summary["tracking_code"],
                    "links": summary["links"],
                }
            )
        counts = {
            k: sum(1 for r in results if r["result"] == k)
            for k in ("created", "existing", "invalid")
        }
        return 200, {"results": results, "counts": counts}, {}

    return run_once(principal, payload, work)


# --- reading -----------------------------------------------------------------------------------


class CaseListQuery(CaseFilters, PageQuery):
    """Filters of ``GET /v1/cases`` (shared with exports), the order and the page.

    Orders are keyset-paged (``cases/ordering.py``), also with ``q``: ordering by text
    relevance would make the cursor skip or repeat cases between pages.
    """

    sort: Sort = Field(
        default="newest",
        description="newest (received last first), due (statutory deadline soonest first), "
        "priority (urgent first, then deadline) or updated (last changed first)",
    )
    limit: int = limit_field(50, MAX_PAGE)


class AccessLogQuery(PageQuery):
    """The page of ``GET /v1/access-log``."""

    limit: int = limit_field(50, MAX_PAGE)


# Counting every match of a broad filter would cost more than the page itself; past this
# the answer says "more than".
MAX_COUNT = 10_000


_READERS_GET = (
    "Officers, supervisors, operators and auditors read every case of their area in full. "
    "A submitter (an office system's key) reads only the cases that key filed, and of those "
    "what the tracking code shows the reporter (FiledCase): status, the statuses it went "
    "through, the statutory deadline, the tracking code, its own source reference and what "
    "officers wrote for the reporter; never the accused, witnesses, the text, triage's "
    "proposal, internal comments or officers' names. Another key's case answers 404 like one "
    "that does not exist."
)


@bp.get("/v1/cases")
@operation(
    summary="List cases of your region, in the order asked (newest first by default)",
    description=_READERS_GET
    + " A submitter's list and count hold only its own cases, as FiledCase items without "
    "steps and messages; it may filter by status, source, region and dates only (a filter "
    "on what its view leaves out, or sort=priority, answers 403 naming the parameter).",
    query=CaseListQuery,
    answers={200: ((CaseList, FiledCaseList), "One page of cases.")},
    problems=(401, 403, 422),
    texts={
        403: "The key's role may not list cases, or a submitter used a filter it may not.",
    },
)
@requires(*ANYONE)
def list_cases() -> ResponseReturnValue:
    principal = current_principal()
    query = parse_query(CaseListQuery)
    refused = refused_filters(principal, request.args)
    if refused:
        raise Problem(
            403,
            "A submitter lists its own cases by status, source, region and dates only.",
            errors=[
                {"field": name, "message": "not available to a submitter", "code": "role"}
                for name in refused
            ],
        )
    criteria = build_criteria(query, principal, now=datetime.now(UTC))
    cases = Case._get_collection()
    count = cases.count_documents(criteria, limit=MAX_COUNT + 1)
    page = criteria
    if query.cursor:
        try:
            page = {"$and": [criteria, ordering.after(query.sort, query.cursor)]}
        except ordering.BadCursor as exc:
            raise cursor_refused() from exc
    left_out = {"timeline": 0, "outbox": 0, "processed_events": 0}
    if reads_own_filings(principal):
        left_out["comments"] = 0  # a filer's list items carry no messages
    docs = list(
        cases.find(page, left_out).sort(ordering.sort_spec(query.sort)).limit(query.limit + 1)
    )
    more = len(docs) > query.limit
    docs = docs[: query.limit]
    body: dict[str, Any] = {
        "items": [case_view(principal, d) for d in docs],
        "next_cursor": ordering.encode(query.sort, docs[-1]) if more and docs else None,
        "count": min(count, MAX_COUNT),
        "count_capped": count > MAX_COUNT,
    }
    return jsonify(body)


@bp.get("/v1/cases/<case_id>")
@operation(
    summary="A case with its triage block and timeline",
    description=_READERS_GET,
    answers={200: ((CaseDetail, FiledCase), "The case, as the caller's role may read it.")},
    problems=(401, 403, 404),
    texts={404: "No such case in your region (for a submitter: none its key filed)."},
)
@requires(*ANYONE)
def get_case(case_id: str) -> ResponseReturnValue:
    principal = current_principal()
    doc = find_visible_case(case_id, principal)
    body = case_view(principal, doc)
    if not reads_own_filings(principal):
        # What the next change must name and what it may be, as the officer actions answer.
        body["version"] = version_of(doc)
        body["allowed_statuses"] = allowed(doc)
    return jsonify(body)


# --- the reporter's identity -------------------------------------------------------------------


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=10, max_length=500)


@bp.post("/v1/cases/<case_id>/reporter:reveal")
@operation(
    summary="Reveal a reporter's identity (logged, with a reason)",
    body=RevealRequest,
    answers={200: (RevealResult, "The identity.")},
    problems=(400, 401, 403, 404, 413, 415, 422, 503),
    texts={
        403: "The key's role may not see who reported.",
        404: "No such case in your region, or an anonymous report.",
    },
)
@requires(*ANYONE)
def reveal_reporter(case_id: str) -> ResponseReturnValue:
    """Open the sealed identity, for a stated reason; every reveal is written to the log."""
    principal = current_principal()
    doc = find_visible_case(case_id, principal)
    d = deps()
    allowed = {r.strip() for r in d.settings.reveal_roles.split(",") if r.strip()}
    reporter = doc.get("reporter") or {}
    if reporter.get("confidential") is False:
        allowed.add("officer")  # the reporter agreed to be known to the officers
    if principal.role not in allowed:
        raise Problem(403, "Your role may not see who reported; officers see the pseudonym only.")
    body = parse_body(
        RevealRequest,
        max_bytes=MAX_REVEAL_BYTES,
        detail="Say why you need the identity (10-500 characters).",
    )
    if reporter.get("anonymous", True):
        raise Problem(404, "This report is anonymous: no identity was ever stored.")
    record = ReporterRecord._get_collection().find_one({"_id": doc["_id"]})
    if record is None or d.vault is None:
        raise Problem(503, "The reporter vault is not available on this server.")
    try:
        identity = d.vault.open(record, str(doc["_id"]))
    except VaultError as exc:
        raise Problem(500, "The sealed identity cannot be opened; the operator is told.") from exc
    access_log.record(
        principal,
        tenant=doc["tenant"],
        case_id=str(doc["_id"]),
        action="reveal_reporter",
        reason=body.reason,
    )
    return jsonify(
        {"case_id": str(doc["_id"]), "pseudonym": reporter.get("pseudonym"), "reporter": identity}
    )


@bp.get("/v1/access-log")
@operation(
    summary="Who revealed what, when and why",
    query=AccessLogQuery,
    answers={200: (AccessLogList, "Newest first, one page.")},
    problems=(401, 403, 422),
)
@requires(*AUDITORS)
def access_log_entries() -> ResponseReturnValue:
    principal = current_principal()
    query = parse_query(AccessLogQuery)
    try:
        entries, next_cursor = access_log.page(tenant_filter(principal), query.limit, query.cursor)
    except BadCursor as exc:
        raise cursor_refused() from exc
    return jsonify(
        {
            "items": [
                {
                    "at": e.at.isoformat(),
                    "tenant": e.tenant,
                    "case_id": e.case_id,
                    "action": e.action,
                    "actor": {
                        "name": e.actor_name,
                        "key_prefix": e.actor_key,
                        "role": e.actor_role,
                    },
                    "reason": e.reason,
                    "request_id": e.request_id,
                }
                for e in entries
            ],
            "next_cursor": next_cursor,
        }
    )
