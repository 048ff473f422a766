"""Evidence files over HTTP: upload (multipart), list, describe and download.

Who may: the roles that file and work cases upload to cases they can see; the roles that
examine cases (officers, supervisors, operators, auditors) list and download. A case of
another tenant answers 404, as everywhere. Every download is written to the access log.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from flask import Blueprint, Response, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from services.intake.access import access_log
from services.intake.cases.api import find_visible_case
from services.intake.deps import deps
from services.intake.evidence import store as evidence
from services.intake.evidence.answers import (
    EvidenceAdded,
    EvidenceEntry,
    EvidenceLimits,
    EvidenceList,
    EvidenceUploadResult,
)
from shared.auth import CONTRIBUTORS, READERS, current_principal, requires
from shared.openapi import file_answer, operation
from shared.problems import Problem

bp = Blueprint("evidence", __name__)

FILE_FIELD = "file"
_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [FILE_FIELD],
                "properties": {
                    FILE_FIELD: {
                        "type": "array",
                        "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                        "minItems": 1,
                        "maxItems": evidence.MAX_FILES_PER_REQUEST,
                    }
                },
            }
        }
    },
}
_READ_TEXTS = {
    403: "The key's role may not read evidence.",
    404: "No such case or file, or not in your region.",
}

_Entry = TypeVar("_Entry", bound=EvidenceEntry)


def _limits() -> evidence.Limits:
    return evidence.Limits.from_settings(deps().settings)


def present(case_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as clients see it, with its links."""
    return _model(EvidenceEntry, case_id, entry).model_dump(mode="json")


def _model(model: type[_Entry], case_id: str, entry: dict[str, Any], **extra: Any) -> _Entry:
    links = {
        "self": url_for("evidence.describe", case_id=case_id, evidence_id=entry["id"]),
        "content": url_for("evidence.download", case_id=case_id, evidence_id=entry["id"]),
    }
    return model.model_validate({**entry, "links": links, **extra})


@bp.post("/v1/cases/<case_id>/evidence")
@operation(
    summary="Attach evidence files (images lose EXIF/GPS before storage)",
    description=f"Up to {evidence.MAX_FILES_PER_REQUEST} files per request in multipart parts "
    f"named '{FILE_FIELD}'. The type is found in the bytes; JPEG, PNG, WebP, GIF, PDF, "
    "MP4/MOV/3GP, M4A, MP3, Ogg and WAV are accepted. A file the case already holds is not "
    "stored twice (200). Nothing is stored if any file is refused.",
    body=_UPLOAD_BODY,
    answers={
        201: (EvidenceUploadResult, "Stored."),
        200: (EvidenceUploadResult, "The case already held every file."),
    },
    problems=(401, 403, 404, 409, 413, 415, 422),
    texts={
        403: "The key's role may not upload evidence.",
        404: "No such case, or not in your region.",
        409: "The same file was being added by another request.",
        413: "A file or the request is larger than accepted.",
        415: "Not multipart, or a file of a type that is not accepted.",
        422: "A file is empty or damaged, or the case's limit is reached.",
    },
)
@requires(*CONTRIBUTORS)
def upload(case_id: str) -> ResponseReturnValue:
    principal = current_principal()
    # The case first: a stranger's upload is refused before a byte of it is read.
    case = find_visible_case(case_id, principal)
    limits = _limits()
    if request.mimetype != "multipart/form-data":
        raise Problem(
            415,
            f"Send evidence as multipart/form-data, each file in a part named '{FILE_FIELD}'.",
            extra={"received_content_type": request.content_type},
        )
    too_large = Problem(
        413,
        f"Send at most {evidence.MAX_FILES_PER_REQUEST} files of up to "
        f"{limits.max_file_bytes} bytes each per request; nothing was stored.",
    )
    if (request.content_length or 0) > limits.max_request_bytes:
        raise too_large
    # The form parser counts what it reads against this, also for a body without a length,
    # and spools file parts to temporary files instead of memory.
    request.max_content_length = limits.max_request_bytes
    request.max_form_parts = 4 * evidence.MAX_FILES_PER_REQUEST + 20
    try:
        files = request.files
    except RequestEntityTooLarge as exc:
        raise too_large from exc
    unexpected = sorted(set(files) - {FILE_FIELD})
    if unexpected:
        raise Problem(
            422,
            f"Files go in parts named '{FILE_FIELD}'; nothing was stored.",
            errors=[
                {"field": f, "message": "unexpected file field", "code": "extra_forbidden"}
                for f in unexpected
            ],
        )
    parts = files.getlist(FILE_FIELD)
    if not parts:
        raise Problem(
            422,
            f"No file was attached; send each file in a multipart part named '{FILE_FIELD}'.",
            errors=[{"field": FILE_FIELD, "message": "this field is required", "code": "missing"}],
        )
    added = evidence.add_evidence(
        case,
        [evidence.Upload(p.filename, p.mimetype or None, p.stream) for p in parts],
        principal=principal,
        now=datetime.now(UTC),
        correlation_id=g.request_id,
        limits=limits,
    )
    result = EvidenceUploadResult(
        items=[_model(EvidenceAdded, case_id, a.entry, created=a.created) for a in added]
    )
    response = jsonify(result.model_dump(mode="json"))
    response.status_code = 201 if any(a.created for a in added) else 200
    return response


@bp.get("/v1/cases/<case_id>/evidence")
@operation(
    summary="The case's evidence files with their hashes",
    answers={200: (EvidenceList, "Oldest first.")},
    problems=(401, 403, 404),
    texts=_READ_TEXTS,
)
@requires(*READERS)
def list_evidence(case_id: str) -> ResponseReturnValue:
    case = find_visible_case(case_id, current_principal())
    limits = _limits()
    listing = EvidenceList(
        items=[_model(EvidenceEntry, case_id, e) for e in case.get("evidence", [])],
        limits=EvidenceLimits(
            max_file_bytes=limits.max_file_bytes,
            max_files_per_case=limits.max_files_per_case,
            max_files_per_request=evidence.MAX_FILES_PER_REQUEST,
        ),
    )
    return jsonify(listing.model_dump(mode="json"))


@bp.get("/v1/cases/<case_id>/evidence/<evidence_id>")
@operation(
    summary="One evidence file's record",
    answers={200: (EvidenceEntry, "The record.")},
    problems=(401, 403, 404),
    texts=_READ_TEXTS,
)
@requires(*READERS)
def describe(case_id: str, evidence_id: str) -> ResponseReturnValue:
    case = find_visible_case(case_id, current_principal())
    return jsonify(present(case_id, evidence.find_entry(case, evidence_id)))


@bp.get("/v1/cases/<case_id>/evidence/<evidence_id>/content")
@operation(
    summary="Download the stored file (each download is logged)",
    answers={200: file_answer("*/*", "The stored bytes; Repr-Digest carries their SHA-256.")},
    problems=(401, 403, 404, 500),
    texts={**_READ_TEXTS, 500: "The registered file is missing from storage."},
)
@requires(*READERS)
def download(case_id: str, evidence_id: str) -> ResponseReturnValue:
    principal = current_principal()
    case = find_visible_case(case_id, principal)
    entry = evidence.find_entry(case, evidence_id)
    stream = evidence.open_file(case, entry)
    # Written before the first byte leaves: a download that is not logged does not happen.
    access_log.record(
        principal,
        tenant=case["tenant"],
        case_id=case_id,
        action="evidence_downloaded",
        reason=f"unduh berkas bukti {evidence_id} (sha256 {entry['sha256']})",
    )

    def chunks() -> Iterator[bytes]:
        with stream:
            yield from stream

    digest = base64.b64encode(bytes.fromhex(entry["sha256"])).decode()
    return Response(
        chunks(),
        mimetype=entry["content_type"],
        headers={
            "Content-Length": str(entry["size"]),
            "Content-Disposition": _attachment(entry["filename"]),
            "ETag": f'"{entry["sha256"]}"',
            # RFC 9530: the client can check what it received against the recorded hash.
            "Repr-Digest": f"sha-256=:{digest}:",
            "Cache-Control": "private, no-store",
            # Never rendered in the browser's origin, whatever the file turns out to be.
            "Content-Security-Policy": "sandbox",
        },
    )


def _attachment(filename: str) -> str:
    """RFC 6266: an ASCII fallback name and the exact UTF-8 name."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
