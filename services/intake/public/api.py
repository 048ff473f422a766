"""The public pages' two doors into intake: a citizen's report, and a reporter's answer to an
officer's question. Only the public key may use them (``PUBLIC``).

Both take ``multipart/form-data``: one part of JSON (``report`` or ``answer``) and up to
five evidence files in parts named ``file``, which go through the evidence store (type found
in the bytes, size limits, EXIF and GPS removed, SHA-256 recorded) before anything is
registered. Both run once per ``Idempotency-Key``: a citizen who sends again after a timeout
gets the first answer. The citizen, named by the console by the stand-in of their address,
is what the per-address limits count.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from services.intake.actions import write as case_actions
from services.intake.cases.api import IDEMPOTENCY_KEY, run_once
from services.intake.cases.idempotency import Claim
from services.intake.cases.limits import count_submissions
from services.intake.cases.models import Case
from services.intake.cases.presenters import case_summary
from services.intake.cases.tracking_api import count_lookup, find_tracked
from services.intake.deps import deps
from services.intake.directory import officers as directory
from services.intake.evidence import store as evidence
from services.intake.public.answering import AWAITING, NoQuestionOpen, answer_plan
from services.intake.public.answers import AnswerReceived, PublicReportFiled
from services.intake.public.client import CLIENT_PARAMETER, client_stand_in, reporter
from services.intake.public.filing import file_report
from services.intake.public.schemas import PublicAnswer, PublicReport, validation_context
from shared.auth import PUBLIC, current_principal, requires
from shared.contracts import Recipient
from shared.openapi import operation
from shared.problems import Problem
from shared.request_input import parse_json, validated

bp = Blueprint("public", __name__)

FILE_FIELD: Final = "file"
REPORT_FIELD: Final = "report"
ANSWER_FIELD: Final = "answer"
MAX_JSON_BYTES: Final = 64 * 1024
HOUR: Final = timedelta(hours=1)


def _multipart(json_part: str, description: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [json_part],
                    "properties": {
                        json_part: {
                            "type": "string",
                            "contentMediaType": "application/json",
                            "description": description,
                        },
                        FILE_FIELD: {
                            "type": "array",
                            "items": {
                                "type": "string",
                                "contentMediaType": "application/octet-stream",
                            },
                            "maxItems": evidence.MAX_FILES_PER_REQUEST,
                        },
                    },
                }
            }
        },
    }


_TEXTS: Final = {
    403: "Only the public pages' key may do this.",
    409: "A request with this Idempotency-Key is still running; see Retry-After.",
    413: "A file or the request is larger than accepted; nothing was stored.",
    415: "Not multipart, or a file of a type that is not accepted; nothing was stored.",
    422: "Invalid fields or files; 'errors' names each. Nothing was stored.",
    429: "Too many from this address, for this regency, or for the key; see Retry-After.",
}


def _read(json_part: str) -> tuple[Any, list[evidence.Upload]]:
    """The JSON part and the files of a multipart request, within the size limits."""
    limits = evidence.Limits.from_settings(deps().settings)
    if request.mimetype != "multipart/form-data":
        raise Problem(
            415,
            f"Send multipart/form-data: the JSON in a part named '{json_part}', each file in a "
            f"part named '{FILE_FIELD}'.",
            extra={"received_content_type": request.content_type},
        )
    largest = limits.max_request_bytes + MAX_JSON_BYTES
    too_large = Problem(
        413,
        f"Send at most {evidence.MAX_FILES_PER_REQUEST} files of up to "
        f"{limits.max_file_bytes} bytes each; nothing was stored.",
    )
    if (request.content_length or 0) > largest:
        raise too_large
    request.max_content_length = largest
    request.max_form_parts = 4 * evidence.MAX_FILES_PER_REQUEST + 20
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge as exc:
        raise too_large from exc
    unexpected = sorted((set(files) - {FILE_FIELD}) | (set(form) - {json_part}))
    if unexpected:
        raise Problem(
            422,
            "Unexpected parts; nothing was stored.",
            errors=[
                {"field": f, "message": "field not allowed", "code": "extra_forbidden"}
                for f in unexpected
            ],
        )
    raw = form.get(json_part)
    if raw is None:
        raise Problem(
            422,
            f"The part '{json_part}' is missing.",
            errors=[{"field": json_part, "message": "this field is required", "code": "missing"}],
        )
    if len(raw.encode()) > MAX_JSON_BYTES:
        raise Problem(413, f"The part '{json_part}' may be at most {MAX_JSON_BYTES} bytes.")
    payload = parse_json(raw, f"The part '{json_part}'")
    # A file input left empty still sends a part without a name; it carries no file.
    uploads = [
        evidence.Upload(p.filename, p.mimetype or None, p.stream)
        for p in files.getlist(FILE_FIELD)
        if p.filename
    ]
    return payload, uploads


def _spend(bucket: str, limit: int, what: str, window: timedelta = HOUR) -> None:
    verdict = deps().limiter.hit(bucket, limit, window=window)
    if not verdict.allowed:
        raise Problem(
            429,
            f"Too many {what}; wait and send again (nothing of this request was stored).",
            headers={"Retry-After": str(verdict.retry_after)},
            extra={"retry_after": verdict.retry_after},
        )


@bp.post("/v1/public/reports")
@operation(
    summary="File a citizen's report with its evidence (the public pages only)",
    description="The report is stored as 'received', source 'public', marked unverified. A "
    "confidential reporter's identity is sealed in the vault; an anonymous report keeps "
    "nothing of the reporter. When the reporter gave an e-mail address or phone number, the "
    "tracking code is sent there. A retry with the same Idempotency-Key and report replays "
    "the first answer (the files of the retry are not looked at).",
    body=_multipart(REPORT_FIELD, "A PublicReport"),
    parameters=[IDEMPOTENCY_KEY, CLIENT_PARAMETER],
    answers={201: (PublicReportFiled, "Filed.")},
    problems=(400, 403, 409, 413, 415, 422, 429),
    texts=_TEXTS,
)
@requires(*PUBLIC)
def file_public_report() -> ResponseReturnValue:
    principal = current_principal()
    d = deps()
    payload, uploads = _read(REPORT_FIELD)
    sender = client_stand_in(principal)

    def work(_claim: Claim | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        now = datetime.now(UTC)
        settings = d.settings
        _spend(f"public-report:{sender}", settings.public_reports_per_address, "reports")
        count_submissions(principal)
        report = validated(PublicReport, payload, context=validation_context(now))
        _spend(
            f"public-regency:{report.region_code}",
            settings.public_reports_per_regency,
            "reports for this regency",
        )
        registered, receipt = file_report(
            report,
            uploads,
            principal=reporter(principal, report.region_code),
            now=now,
            correlation_id=g.request_id,
            vault=d.vault,
            seal=d.receipts,
            limits=evidence.Limits.from_settings(settings),
        )
        body = case_summary(registered.case)
        body.update(
            created=registered.created,
            receipt=receipt,
            files=len(registered.case.get("evidence", [])),
        )
        return 201, body, {"Location": body["links"]["self"]}

    return run_once(principal, payload, work)


@bp.post("/v1/track/<code>/answer")
@operation(
    summary="Answer an officer's question by tracking code (the public pages only)",
    description="Only while the case waits for the reporter ('awaiting_info'). The answer "
    "joins the case as the reporter's message (timeline and audit name 'Pelapor', never a "
    "person), the case returns to the status it paused in, so its statutory clock runs "
    "again, and its officer is alerted. Lookups count against the address's tracking limit.",
    body=_multipart(ANSWER_FIELD, "A PublicAnswer"),
    parameters=[IDEMPOTENCY_KEY, CLIENT_PARAMETER],
    answers={201: (AnswerReceived, "Answer stored; the case is back where it paused.")},
    problems=(400, 403, 404, 409, 413, 415, 422, 429),
    texts={
        **_TEXTS,
        404: "No report with this tracking code.",
        409: "The case is not waiting for an answer (reason 'no_question'), or a request with "
        "this Idempotency-Key is still running.",
    },
)
@requires(*PUBLIC)
def answer_question(code: str) -> ResponseReturnValue:
    principal = current_principal()
    d = deps()
    # The code is the only key to the case: guessing it here is as slow as on the status page.
    count_lookup()
    found = find_tracked(code, {"_id": 1, "tracking_code": 1})
    payload, uploads = _read(ANSWER_FIELD)
    sender = client_stand_in(principal)

    def work(_claim: Claim | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        now = datetime.now(UTC)
        _spend(f"public-answer:{sender}", d.settings.public_reports_per_address, "answers")
        answer = validated(PublicAnswer, payload)
        case = Case._get_collection().find_one({"_id": found["_id"]})
        if case is None:
            raise Problem(404, "No report with this tracking code.")
        if case.get("status") != AWAITING:
            raise _no_question()
        person = reporter(principal, str(case["tenant"]))
        staged = evidence.stage(
            case,
            uploads,
            principal=person,
            now=now,
            limits=evidence.Limits.from_settings(d.settings),
            neutral_names=True,
        )
        recipient = _assignee(case)
        try:
            stored = case_actions.apply(
                str(case["_id"]),
                principal=person,
                expected_version=None,
                request_id=g.get("request_id"),
                now=now,
                correlation_id=g.request_id,
                decide=lambda doc: answer_plan(
                    doc, text=answer.text, entries=staged.entries, recipient=recipient, now=now
                ),
            )
        except NoQuestionOpen as exc:
            evidence.discard(staged)
            raise _no_question() from exc
        except BaseException:
            evidence.discard(staged)
            raise
        body = {
            "tracking_code": stored["tracking_code"],
            "status": stored["status"],
            "files": len(staged.entries),
        }
        return 201, AnswerReceived.model_validate(body).model_dump(), {}

    fingerprinted = {"code": found["tracking_code"], "answer": payload}
    return run_once(principal, fingerprinted, work)


def _no_question() -> Problem:
    return Problem(
        409,
        "This report is not waiting for an answer: no question is open, or it was answered.",
        extra={"reason": "no_question"},
    )


def _assignee(case: dict[str, Any]) -> Recipient | None:
    """The officer to alert: the one the case is assigned to, while they are active."""
    officer_id = ((case.get("triage") or {}).get("assignee") or {}).get("officer_id")
    officer = directory.lookup(str(officer_id)) if officer_id else None
    return directory.as_recipient(officer) if officer else None
