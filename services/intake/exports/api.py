"""CSV exports over HTTP: ask for one (202), follow its progress, download the file.

The export itself runs in intake's worker (``export_runner``); this side validates, checks
the size and the key's quota, stores the job and, for exports with reporter identities,
writes the access log before anything is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, g, jsonify
from flask.typing import ResponseReturnValue
from gridfs import NoFile
from pydantic import ValidationError

from services.intake.access.models import AccessLogEntry
from services.intake.cases.filters import build_criteria
from services.intake.cases.models import Case
from services.intake.cases.schemas import field_errors
from services.intake.deps import deps
from services.intake.exports import jobs as export_jobs
from services.intake.exports.openapi import ExportJob, ExportRequest
from shared.auth import Principal, current_principal, requires
from shared.problems import Problem, json_body

bp = Blueprint("exports", __name__)

# The roles that read cases at work; a submitter files cases and has no business in bulk.
EXPORT_ROLES = ("officer", "supervisor", "operator", "auditor")
MAX_REQUEST_BYTES = 8192


def _answer(job: dict[str, Any], status: int = 200) -> Response:
    body = ExportJob.model_validate(export_jobs.view(job)).model_dump(mode="json")
    response = jsonify(body)
    response.status_code = status
    return response


def _reveal_roles() -> set[str]:
    return {r.strip() for r in deps().settings.reveal_roles.split(",") if r.strip()}


def _log_export(principal: Principal, job: dict[str, Any]) -> None:
    AccessLogEntry(
        tenant=principal.region,
        case_id=f"export:{job['_id']}",
        action="export_reporter",
        actor_name=principal.name,
        actor_key=principal.key_prefix,
        actor_role=principal.role,
        reason=f"ekspor {job['total_estimated']} kasus dengan identitas pelapor: {job['reason']}",
        request_id=g.request_id,
    ).save()


@bp.post("/v1/exports")
@requires(*EXPORT_ROLES)
def create_export() -> ResponseReturnValue:
    principal = current_principal()
    d = deps()
    try:
        request = ExportRequest.model_validate(json_body(MAX_REQUEST_BYTES))
    except ValidationError as exc:
        raise Problem(
            422, "Some filters need correcting; see 'errors'.", errors=field_errors(exc)
        ) from exc
    if request.include_reporter:
        if principal.role not in _reveal_roles():
            raise Problem(
                403,
                f"The role '{principal.role}' may not export reporters' identities; "
                "export without include_reporter.",
            )
        if d.vault is None:
            raise Problem(503, "The reporter vault is not available on this server.")
    now = datetime.now(UTC)
    criteria = build_criteria(request, principal, now=now)
    total = export_jobs.count_cases(Case._get_collection(), criteria)
    export_jobs.refuse_if_too_large(total, d.settings.export_max_rows)
    job = export_jobs.new_job(
        request,
        principal,
        now=now,
        total=total,
        ttl=timedelta(hours=d.settings.export_ttl_hours),
        request_id=g.request_id,
    )
    export_jobs.enqueue(export_jobs.jobs(), job, d.settings.export_max_active_per_key)
    if request.include_reporter:
        _log_export(principal, job)
    response = _answer(job, 202)
    response.headers["Location"] = f"/v1/exports/{job['_id']}"
    return response


@bp.get("/v1/exports/<export_id>")
@requires(*EXPORT_ROLES)
def export_status(export_id: str) -> ResponseReturnValue:
    job = export_jobs.find_visible(
        export_jobs.jobs(), export_id, current_principal(), datetime.now(UTC)
    )
    return _answer(job)


@bp.get("/v1/exports/<export_id>/download")
@requires(*EXPORT_ROLES)
def download_export(export_id: str) -> ResponseReturnValue:
    principal = current_principal()
    job = export_jobs.find_visible(export_jobs.jobs(), export_id, principal, datetime.now(UTC))
    if job["status"] != "done":
        raise Problem(
            409,
            f"This export is {job['status']}; download it once its status is done.",
            extra={"export_status": job["status"]},
        )
    try:
        stream = export_jobs.bucket().open_download_stream(job["file_id"])
    except NoFile as exc:
        raise Problem(500, "The export's file is missing; quote the request id.") from exc
    if job["include_reporter"]:
        # Written before the first byte leaves, as every read of an identity is.
        AccessLogEntry(
            tenant=principal.region,
            case_id=f"export:{job['_id']}",
            action="export_reporter",
            actor_name=principal.name,
            actor_key=principal.key_prefix,
            actor_role=principal.role,
            reason=f"unduh ekspor dengan identitas pelapor: {job['reason']}",
            request_id=g.request_id,
        ).save()

    def chunks() -> Iterator[bytes]:
        with stream:
            yield from stream

    return Response(
        chunks(),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Length": str(stream.length),
            "Content-Disposition": f'attachment; filename="{stream.filename}"',
            "Cache-Control": "private, no-store",
        },
    )
