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

from services.intake.access import access_log
from services.intake.cases.filters import build_criteria
from services.intake.cases.models import Case
from services.intake.deps import deps
from services.intake.exports import jobs as export_jobs
from services.intake.exports.answers import ExportJob
from services.intake.exports.jobs import ExportRequest
from shared.auth import READERS, current_principal, requires
from shared.openapi import file_answer, json_answer, operation
from shared.problems import Problem
from shared.request_input import QUERY_DETAIL, parse_body

bp = Blueprint("exports", __name__)

MAX_REQUEST_BYTES = 8192
_JOB_TEXTS = {
    403: "The key's role may not export cases.",
    404: "No such export, not yours to see, or expired.",
}


def _answer(job: dict[str, Any], status: int = 200) -> Response:
    body = ExportJob.model_validate(export_jobs.view(job)).model_dump(mode="json")
    response = jsonify(body)
    response.status_code = status
    return response


def _reveal_roles() -> set[str]:
    return {r.strip() for r in deps().settings.reveal_roles.split(",") if r.strip()}


# The roles that read cases at work may export them; a submitter files cases and has no
# business with them in bulk.
@bp.post("/v1/exports")
@operation(
    summary="Export cases as CSV (a background job)",
    description="Takes the filters of GET /v1/cases. The file is written by intake's worker; "
    "follow the Location to see progress and, when done, the download link. Reporter "
    "identities are added only with include_reporter, for roles allowed to reveal reporters, "
    "and the export is written to the access log.",
    body=ExportRequest,
    answers={
        202: json_answer(
            ExportJob,
            "Queued.",
            headers={"Location": {"description": "The job's status", "schema": {"type": "string"}}},
        )
    },
    problems=(400, 401, 403, 413, 415, 422, 429, 503),
    texts={
        403: "The key's role may not export, or may not add reporters.",
        422: "Invalid filters, or more cases than one export may hold (matching and max_rows "
        "give the figures).",
        429: "Too many exports of this key queued or running (max_active gives the limit).",
        503: "The reporter vault is not available on this server, or the database is down.",
    },
)
@requires(*READERS)
def create_export() -> ResponseReturnValue:
    principal = current_principal()
    d = deps()
    request = parse_body(ExportRequest, max_bytes=MAX_REQUEST_BYTES, detail=QUERY_DETAIL)
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
        access_log.record(
            principal,
            tenant=principal.region,
            case_id=f"export:{job['_id']}",
            action="export_reporter",
            reason=f"ekspor {job['total_estimated']} kasus dengan identitas pelapor: "
            f"{job['reason']}",
        )
    response = _answer(job, 202)
    response.headers["Location"] = f"/v1/exports/{job['_id']}"
    return response


@bp.get("/v1/exports/<export_id>")
@operation(
    summary="An export's status and progress",
    answers={200: (ExportJob, "The job.")},
    problems=(401, 403, 404),
    texts=_JOB_TEXTS,
)
@requires(*READERS)
def export_status(export_id: str) -> ResponseReturnValue:
    job = export_jobs.find_visible(
        export_jobs.jobs(), export_id, current_principal(), datetime.now(UTC)
    )
    return _answer(job)


@bp.get("/v1/exports/<export_id>/download")
@operation(
    summary="The export's CSV file",
    answers={200: file_answer("text/csv", "UTF-8 CSV (with a byte order mark, for spreadsheets).")},
    problems=(401, 403, 404, 409, 500),
    texts={
        **_JOB_TEXTS,
        409: "The export is not done (queued, running or failed).",
        500: "The file is missing from storage.",
    },
)
@requires(*READERS)
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
        access_log.record(
            principal,
            tenant=principal.region,
            case_id=f"export:{job['_id']}",
            action="export_reporter",
            reason=f"unduh ekspor dengan identitas pelapor: {job['reason']}",
        )

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
