"""Open311 GeoReport v2 endpoints, for city apps and tools that already speak it.

``jurisdiction_id`` is the Kemendagri code of the regency. The API key goes in the
``api_key`` field (as GeoReport clients send it) or as ``Authorization: Bearer``. Errors keep
GeoReport's format — a JSON list of ``{"code", "description"}`` with the HTTP status — rather
than the problem documents of the rest of the API, because that is what these clients parse.
Only the JSON format is offered.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from bson import ObjectId
from bson.errors import InvalidId
from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, Field
from werkzeug.exceptions import HTTPException

from services.intake.cases.api import find_visible_case, tenant_filter
from services.intake.cases.limits import count_submissions
from services.intake.cases.models import Case
from services.intake.cases.readers import own_filings, readable, reads_own_filings
from services.intake.cases.submission import register_case
from services.intake.cases.tracking_api import STATUS_TEXT
from services.intake.deps import deps
from services.intake.open311 import mapping as open311
from services.intake.open311.answers import (
    Open311Created,
    Open311CreatedList,
    Open311Errors,
    Open311Requests,
    Open311ServiceDefinition,
    Open311Services,
)
from services.intake.open311.mapping import GeoReportError
from shared.auth import ANYONE, FILERS, Principal, current_principal, requires
from shared.openapi import operation
from shared.problems import Problem
from shared.regions import parse_region_code, timezone_for
from shared.request_input import parse_query
from shared.text_safety import control_errors

log = logging.getLogger(__name__)

bp = Blueprint("open311", __name__)

PREFIX: Final = "/open311/v2"
FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")
# GeoReport's defaults for searching requests: the last 90 days, at most 1000 answers.
SEARCH_DAYS: Final = 90
SEARCH_LIMIT: Final = 1000
MAX_IDS: Final = 100

# --------------------------------------------------------------------- the OpenAPI parts

_FORMAT: Final = {
    "name": "fmt",
    "in": "path",
    "required": True,
    "description": "Only json is offered; other formats answer 404.",
    "schema": {"type": "string", "enum": ["json"]},
}
# The key may also come as the api_key parameter (query or form field), as GeoReport sends it.
_KEY_OR_API_KEY: Final[list[dict[str, list[str]]]] = [{"bearerKey": []}, {}]
_FORM_FIELDS: Final = (
    "api_key",
    "jurisdiction_id",
    "service_code",
    "description",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "media_url",
    "device_id",
    "account_id",
)
_FORM_BODY: Final = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["service_code", "description"],
                "properties": {f: {"type": "string"} for f in _FORM_FIELDS},
                "patternProperties": {r"^attribute\[.+\]$": {"type": "string"}},
            }
        }
    },
}


def _errors_answer(texts: Mapping[int, str]) -> dict[int, tuple[type[Open311Errors], str]]:
    """GeoReport's error lists, one answer per status."""
    return {status: (Open311Errors, text) for status, text in texts.items()}


# ------------------------------------------------------------------------ query strings


class JurisdictionQuery(BaseModel):
    """Which regency a read is about. Parameters are text here; the views check them and
    answer in GeoReport's words (``GeoReportError``)."""

    jurisdiction_id: str | None = Field(
        default=None, description="Kemendagri code of the regency, e.g. 12.06"
    )


class RequestQuery(JurisdictionQuery):
    # Read by _format_and_key before the view; named here so that it is documented.
    api_key: str | None = Field(
        default=None, description="The Pantau API key, if not sent as 'Authorization: Bearer'."
    )


class SearchQuery(RequestQuery):
    service_request_id: str | None = Field(
        default=None, description=f"Comma-separated ids, at most {MAX_IDS}"
    )
    service_code: str | None = Field(default=None, description="Comma-separated service codes")
    status: str | None = Field(default=None, description="open, closed, or open,closed")
    start_date: str | None = Field(
        default=None,
        description=f"W3C date and time with its offset; default {SEARCH_DAYS} days before "
        "end_date",
    )
    end_date: str | None = Field(
        default=None, description="W3C date and time with its offset; default now"
    )


# ------------------------------------------------------------------------------ errors


def _errors(
    status: int, descriptions: Iterable[str], headers: Mapping[str, str] | None = None
) -> Response:
    body = [{"code": status, "description": d} for d in descriptions]
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    response.headers.update(headers or {})
    return response


@bp.errorhandler(GeoReportError)
def _georeport(exc: GeoReportError) -> Response:
    return _errors(exc.status, exc.descriptions)


@bp.errorhandler(Problem)
def _problem(exc: Problem) -> Response:
    if exc.status == 401:
        detail = (
            "api_key is missing, unknown or revoked; send your office's key as the api_key "
            "field or as 'Authorization: Bearer <key>'"
        )
        return _errors(401, [detail], exc.headers)
    details = [exc.detail] + [
        f"{e.get('field')}: {e.get('message')}" for e in exc.errors if e.get("field")
    ]
    return _errors(exc.status, details, exc.headers)


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    return _errors(exc.code or 500, [exc.description or exc.name])


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.path})
    return _errors(
        500, ["Something went wrong on our side; quote the X-Request-ID header when you ask."]
    )


# --------------------------------------------------------------------- before each view


@bp.before_request
def _format_and_key() -> None:
    fmt = (request.view_args or {}).get("fmt")
    if fmt is not None and fmt != "json":
        raise GeoReportError(
            404, [f"only the JSON format is offered here: ask for .json instead of .{fmt}"]
        )
    key = request.values.get("api_key", "").strip()
    if key and not request.headers.get("Authorization"):
        principal = current_app.config["PANTAU_AUTHENTICATE"](key)
        if principal is None:
            raise Problem(401, "unknown api_key")
        g.principal = principal  # what current_principal() returns for this request


# ---------------------------------------------------------------------------- services


@bp.get(f"{PREFIX}/services.<fmt>")
@operation(
    summary="GeoReport v2: the violation categories as services",
    parameters=[_FORMAT],
    query=JurisdictionQuery,
    answers={
        200: (Open311Services, "Every category."),
        **_errors_answer(
            {400: "A parameter that cannot be read.", 404: "Unknown jurisdiction or format."}
        ),
    },
    public=True,
)
def list_services(fmt: str) -> ResponseReturnValue:
    """The taxonomy, public as GeoReport expects: tools read it before they have a key."""
    _known_jurisdiction(parse_query(JurisdictionQuery, status=400).jurisdiction_id)
    return jsonify(Open311Services.model_validate(open311.services()).model_dump(mode="json"))


@bp.get(f"{PREFIX}/services/<service_code>.<fmt>")
@operation(
    summary="GeoReport v2: a service definition (its attributes)",
    parameters=[_FORMAT],
    query=JurisdictionQuery,
    answers={
        200: (Open311ServiceDefinition, "The attributes."),
        **_errors_answer(
            {
                400: "A parameter that cannot be read.",
                404: "Unknown service, jurisdiction or format.",
            }
        ),
    },
    public=True,
)
def describe_service(service_code: str, fmt: str) -> ResponseReturnValue:
    _known_jurisdiction(parse_query(JurisdictionQuery, status=400).jurisdiction_id)
    try:
        definition = open311.service_definition(service_code)
    except KeyError:
        raise GeoReportError(
            404, [f"service_code {service_code!r} is not a service here"]
        ) from None
    # GeoReport lists 'values' only for list attributes.
    return jsonify(
        Open311ServiceDefinition.model_validate(definition).model_dump(
            mode="json", exclude_none=True
        )
    )


def _known_jurisdiction(raw: str | None) -> None:
    if raw is None:
        return
    try:
        region = parse_region_code(raw.strip())
    except ValueError as exc:
        raise GeoReportError(404, [f"jurisdiction_id: {exc}"]) from exc
    if region.is_province:
        raise GeoReportError(404, ["jurisdiction_id is a regency or city code, such as 12.06"])


# ---------------------------------------------------------------------------- requests

_WHO_READS: Final = (
    "Officers, supervisors, operators and auditors read every request of their area. A "
    "submitter reads only the requests its key filed, with the status, its note, the times "
    "and the deadline; description, address, coordinates, media, category and unit are "
    "null (they name people and places the filer's key need not hold). Another key's request "
    "answers 404 like one that does not exist."
)


@bp.post(f"{PREFIX}/requests.<fmt>")
@operation(
    summary="GeoReport v2: file a request (becomes a case)",
    parameters=[_FORMAT],
    body=_FORM_BODY,
    answers={
        200: (Open311CreatedList, "The new request's id and tracking code."),
        **_errors_answer(
            {
                400: "Invalid request; one description per problem.",
                401: "Missing, unknown or revoked api_key.",
                403: "Role or jurisdiction not allowed for this key.",
                404: "Format other than json.",
                429: "Rate limit reached; see Retry-After.",
                503: "A dependency is unavailable.",
            }
        ),
    },
    security=_KEY_OR_API_KEY,
)
@requires(*FILERS)
def create_request(fmt: str) -> ResponseReturnValue:
    principal = current_principal()
    if request.mimetype not in FORM_TYPES:
        raise GeoReportError(
            400, ["send the request form-encoded (application/x-www-form-urlencoded)"]
        )
    form = request.form.to_dict(flat=True)
    refused = control_errors(form)
    if refused:
        raise GeoReportError(400, [f"{e['field']}: {e['message']}" for e in refused])
    fields, attributes = open311.split_attributes(form)
    tenant = _jurisdiction(principal, fields.get("jurisdiction_id", "").strip() or None)
    count_submissions(principal)
    now = datetime.now(UTC)
    payload = open311.submission_payload(fields, attributes, now=now)
    submission = open311.validate(payload, now=now, tz=timezone_for(tenant))
    # The hint is informative only (triage never trusts it); it is stored with the case.
    extras: dict[str, Any] = {"category_hint": fields["service_code"].strip()}
    point = open311.point_of(fields)
    if point is not None:
        extras["open311"] = {"point": point}
    registered = register_case(
        submission,
        tenant=tenant,
        principal=principal,
        now=now,
        correlation_id=g.request_id,
        vault=deps().vault,
        extra=extras,
    )
    case = registered.case
    created = Open311Created(
        service_request_id=str(case["_id"]),
        service_notice=(
            f"Laporan diterima. Kode pelacakan: {case['tracking_code']} — simpan kode ini "
            "untuk memantau laporan tanpa akun."
        ),
        account_id=None,
        tracking_code=case["tracking_code"],
    )
    return jsonify(Open311CreatedList([created]).model_dump(mode="json"))


def _jurisdiction(principal: Principal, raw: str | None) -> str:
    """The regency a request is filed in: the key's own, or one a provincial key names."""
    if raw is None:
        if principal.is_provincial:
            raise GeoReportError(
                400,
                [
                    "jurisdiction_id is required with a provincial key: "
                    "the regency's code, such as 12.06"
                ],
            )
        return principal.region
    try:
        region = parse_region_code(raw)
    except ValueError as exc:
        raise GeoReportError(400, [f"jurisdiction_id: {exc}"]) from exc
    if region.is_province:
        raise GeoReportError(400, ["jurisdiction_id must be a regency or city, such as 12.06"])
    if not principal.can_see(region.code):
        raise GeoReportError(
            403, [f"this api_key may not file requests for jurisdiction_id {region.code}"]
        )
    return region.code


@bp.get(f"{PREFIX}/requests/<request_id>.<fmt>")
@operation(
    summary="GeoReport v2: one request",
    description=_WHO_READS,
    parameters=[_FORMAT],
    query=RequestQuery,
    answers={
        200: (Open311Requests, "A list holding the request."),
        **_errors_answer(
            {
                400: "A parameter that cannot be read.",
                401: "Missing, unknown or revoked api_key.",
                403: "The key's role may not read requests.",
                404: "No such request in your region, or a format other than json.",
                503: "A dependency is unavailable.",
            }
        ),
    },
    security=_KEY_OR_API_KEY,
)
@requires(*ANYONE)
def get_request(request_id: str, fmt: str) -> ResponseReturnValue:
    principal = current_principal()
    case = find_visible_case(request_id, principal)
    jurisdiction = parse_query(RequestQuery, status=400).jurisdiction_id
    if jurisdiction and jurisdiction.strip() != case["tenant"]:
        raise Problem(404, "No case with this id.")
    return jsonify(_requests([case], principal))


@bp.get(f"{PREFIX}/requests.<fmt>")
@operation(
    summary="GeoReport v2: search requests of your region",
    description=_WHO_READS
    + " A submitter's search holds only its own requests; its service_code matches the "
    "category it named when filing.",
    parameters=[_FORMAT],
    query=SearchQuery,
    answers={
        200: (Open311Requests, "Newest first, at most 1000."),
        **_errors_answer(
            {
                400: "Invalid filter.",
                401: "Missing, unknown or revoked api_key.",
                403: "Role or jurisdiction not allowed for this key.",
                404: "Format other than json.",
                503: "A dependency is unavailable.",
            }
        ),
    },
    security=_KEY_OR_API_KEY,
)
@requires(*ANYONE)
def search_requests(fmt: str) -> ResponseReturnValue:
    """GeoReport's search: by ids, or by service, status and date (newest first)."""
    principal = current_principal()
    query = parse_query(SearchQuery, status=400)
    criteria: dict[str, Any] = tenant_filter(principal)
    jurisdiction = (query.jurisdiction_id or "").strip()
    if jurisdiction:
        if not principal.can_see(jurisdiction):
            raise GeoReportError(403, [f"this api_key may not read jurisdiction_id {jurisdiction}"])
        criteria = {"tenant": jurisdiction}
    criteria.update(own_filings(principal))
    ids = _csv(query.service_request_id)
    if ids:
        if len(ids) > MAX_IDS:
            raise GeoReportError(400, [f"service_request_id: at most {MAX_IDS} ids at once"])
        criteria["_id"] = {"$in": [oid for oid in map(_object_id, ids) if oid is not None]}
    else:
        criteria.update(_search_filters(query, by_hint_only=reads_own_filings(principal)))
    docs = (
        Case._get_collection()
        .find(criteria, {"timeline": 0, "outbox": 0, "processed_events": 0, "evidence": 0})
        .sort("_id", -1)
        .limit(SEARCH_LIMIT)
    )
    return jsonify(_requests(docs, principal))


def _search_filters(query: SearchQuery, *, by_hint_only: bool) -> dict[str, Any]:
    """GeoReport's filters as a query. ``by_hint_only``: service_code matches the category
    the filer named, never triage's, which a submitter may not learn one yes or no at a
    time."""
    filters: dict[str, Any] = {}
    codes = _csv(query.service_code)
    if codes and by_hint_only:
        filters["category_hint"] = {"$in": codes}
    elif codes:
        filters["$or"] = [{"category_hint": {"$in": codes}}, {"triage.category": {"$in": codes}}]
    statuses = set(_csv(query.status))
    if statuses - {"open", "closed"}:
        raise GeoReportError(400, ["status is open, closed, or both separated by a comma"])
    closed = sorted(open311.CLOSED_STATUSES)
    if statuses == {"open"}:
        filters["status"] = {"$nin": closed}
    elif statuses == {"closed"}:
        filters["status"] = {"$in": closed}
    end = _moment("end_date", query.end_date) or datetime.now(UTC)
    start = _moment("start_date", query.start_date) or end - timedelta(days=SEARCH_DAYS)
    if start > end:
        raise GeoReportError(400, ["start_date must not be after end_date"])
    filters["submitted_at"] = {"$gte": start, "$lte": end}
    return filters


def _csv(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _object_id(raw: str) -> ObjectId | None:
    try:
        return ObjectId(raw)
    except (InvalidId, TypeError):
        return None  # an id that cannot exist simply finds nothing


def _moment(name: str, raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise GeoReportError(
            400, [f"{name} must be a W3C date and time, such as 2024-11-20T00:00:00+07:00"]
        ) from exc
    if moment.utcoffset() is None:
        raise GeoReportError(400, [f"{name} needs a time zone, such as +07:00"])
    return moment


def _requests(cases: Iterable[Mapping[str, Any]], principal: Principal) -> list[Any]:
    """The cases as GeoReport requests. A submitter's are drawn from what it may read of its
    own filings: status, times and deadline, with the text, place, category and unit empty."""
    answers = []
    for stored in cases:
        case = readable(principal, stored)
        status = case.get("status", "received")
        note = STATUS_TEXT.get(status, (f"Status laporan: {status}.", ""))[0]
        answers.append(open311.service_request(case, timezone_for(case["tenant"]), note))
    dumped: list[Any] = Open311Requests.model_validate(answers).model_dump(mode="json")
    return dumped
