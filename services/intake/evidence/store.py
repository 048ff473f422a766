"""Evidence files of a case: recognised, cleaned, hashed, stored and registered — or refused.

Files live in GridFS (bucket ``evidence`` of intake's database), through pymongo's
``GridFSBucket`` rather than mongoengine's ``FileField``: the bucket streams a download chunk
by chunk to the client without loading the whole file, takes the custody metadata on the file
itself, and lets a failed request delete exactly the files it wrote.

Chain of custody: each entry records the SHA-256 and size of the bytes as received and of the
bytes stored (they differ when metadata was removed), the type found in the bytes, the type
the client claimed, who uploaded it and when. The entries sit on the case document in the
``evidence`` array, so registering them, the timeline entry and the ``case.updated`` event
are one atomic write; the same write enforces the per-case limit and refuses a file the case
already holds.

Nothing is stored half-way: files are written to GridFS one by one (so only one file is in
memory at a time) and deleted again if any later file is refused or the registration fails.
A process that dies between the two leaves GridFS files that no case entry names; their
metadata carries tenant and case id, so such orphans can be found and removed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import IO, Any, Final

from bson import ObjectId
from bson.errors import InvalidId
from gridfs import GridFSBucket, GridOut, NoFile

from services.intake.actions import write as case_actions
from services.intake.actions.plans import Plan
from services.intake.evidence import cleaning
from services.intake.evidence import file_types as types
from services.intake.evidence.file_types import EvidenceType
from shared import mongo
from shared.auth import Principal
from shared.contracts import AccusedRef, CaseUpdated
from shared.problems import Problem
from shared.settings import Settings

log = logging.getLogger(__name__)

BUCKET: Final = "evidence"
# Files in one request. With the per-file limit this bounds the body (spooled to disk by the
# form parser, never held in memory whole).
MAX_FILES_PER_REQUEST: Final = 5
# Room for the multipart boundaries and part headers around the files.
MULTIPART_OVERHEAD: Final = 64 * 1024
MAX_FILENAME: Final = 150
MAX_DECLARED_TYPE: Final = 100


@dataclass(frozen=True)
class Limits:
    """How much evidence intake takes: per file, per case, per request."""

    max_file_bytes: int
    max_files_per_case: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.evidence_max_file_bytes, settings.evidence_max_files_per_case)

    @property
    def max_request_bytes(self) -> int:
        return self.max_file_bytes * MAX_FILES_PER_REQUEST + MULTIPART_OVERHEAD


@dataclass(frozen=True)
class Upload:
    """One file as the client sent it: a name and a type it claims, and its bytes."""

    filename: str | None
    declared_type: str | None
    stream: IO[bytes]


@dataclass(frozen=True)
class Added:
    """An evidence entry and whether this request stored it (False: the case had it)."""

    entry: dict[str, Any]
    created: bool


def bucket() -> GridFSBucket:
    return GridFSBucket(mongo.database("intake"), bucket_name=BUCKET)


# ------------------------------------------------------------------------- preparing


@dataclass(frozen=True)
class Prepared:
    """A file ready to store: the cleaned bytes and what the entry records about it."""

    kind: EvidenceType
    filename: str
    declared_type: str | None
    stored: bytes
    sha256: str
    original_sha256: str
    original_size: int
    metadata_removed: bool


def prepare(upload: Upload, index: int, limits: Limits) -> Prepared:
    """Read (within the limit), recognise and clean one upload; a Problem if it is refused."""
    # One byte past the limit tells "too large" from "exactly at the limit" without reading on.
    data = upload.stream.read(limits.max_file_bytes + 1)
    shown = upload.filename or f"file {index + 1}"
    if len(data) > limits.max_file_bytes:
        raise _refused(
            413,
            f"'{shown}' is larger than {_megabytes(limits.max_file_bytes)} "
            f"({limits.max_file_bytes} bytes), the most one evidence file may be.",
            index,
            upload,
            "file_too_large",
        )
    if not data:
        raise _refused(422, f"'{shown}' is empty.", index, upload, "file_empty")
    try:
        kind = types.sniff(data[: types.HEAD_BYTES])
    except types.UnsupportedType as exc:
        raise _refused(
            415, f"'{shown}' was refused: {exc}.", index, upload, "unsupported_type"
        ) from exc
    try:
        cleaned = cleaning.clean(data, kind)
    except cleaning.TooManyPixels as exc:
        raise _refused(
            413, f"'{shown}' was refused: {exc}.", index, upload, "too_many_pixels"
        ) from exc
    except cleaning.DamagedFile as exc:
        raise _refused(
            422, f"'{shown}' was refused: {exc}.", index, upload, "file_damaged"
        ) from exc
    return Prepared(
        kind=kind,
        filename=sanitise_filename(upload.filename, kind),
        declared_type=upload.declared_type[:MAX_DECLARED_TYPE] if upload.declared_type else None,
        stored=cleaned.data,
        sha256=hashlib.sha256(cleaned.data).hexdigest(),
        original_sha256=hashlib.sha256(data).hexdigest(),
        original_size=len(data),
        metadata_removed=cleaned.metadata_removed,
    )


def _refused(status: int, detail: str, index: int, upload: Upload, code: str) -> Problem:
    return Problem(
        status,
        detail + " Nothing of this request was stored.",
        errors=[
            {
                "field": f"file[{index}]",
                "filename": upload.filename or "",
                "message": detail,
                "code": code,
            }
        ],
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


# Extensions that are already right for a type; any other gets the type's own appended, so a
# PDF named "foto.jpg" is not opened as a picture by whoever downloads it.
_EXTENSIONS: Final[dict[str, frozenset[str]]] = {
    "jpg": frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    "mov": frozenset({"mov", "qt"}),
    "m4a": frozenset({"m4a", "m4b"}),
    "ogg": frozenset({"ogg", "oga", "opus"}),
    "3gp": frozenset({"3gp", "3gpp"}),
}
_UNSAFE = re.compile(r"[^\w\s.()\-]+")


def sanitise_filename(raw: str | None, kind: EvidenceType) -> str:
    """A file name safe to show and to offer for download, ending in the type's extension.

    Folders (``C:\\Users\\...``, ``../``), control characters and characters that mean
    something to shells or headers are removed; letters of any script are kept.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    allowed = _EXTENSIONS.get(kind.extension, frozenset({kind.extension}))
    if dot and suffix.lower() in allowed:
        name, extension = stem, suffix
    else:
        extension = kind.extension
    name = name[: MAX_FILENAME - len(extension) - 1].rstrip(" .") or "bukti"
    return f"{name}.{extension}"


# --------------------------------------------------------------------------- storing


def add_evidence(
    case: dict[str, Any],
    uploads: Sequence[Upload],
    *,
    principal: Principal,
    now: datetime,
    correlation_id: str,
    limits: Limits,
) -> list[Added]:
    """Store ``uploads`` as evidence of ``case`` (already checked visible to ``principal``).

    A file the case already holds (same original SHA-256) is not stored again: its entry is
    returned with ``created=False``, so a client that retries after a timeout does not
    double the evidence. Raises a Problem, having stored nothing, if any file is refused.
    """
    staged = stage(case, uploads, principal=principal, now=now, limits=limits)
    try:
        if staged.entries:
            _register(case, staged.entries, principal, now, correlation_id, limits)
    except BaseException:
        discard(staged)
        raise
    return staged.results


@dataclass(frozen=True)
class Staged:
    """Files written to storage for a case, not yet registered on it: what each upload
    became, the new entries to register, and the stored files to delete if that fails."""

    results: list[Added]
    entries: list[dict[str, Any]]
    written: list[ObjectId]


def stage(
    case: dict[str, Any],
    uploads: Sequence[Upload],
    *,
    principal: Principal,
    now: datetime,
    limits: Limits,
    neutral_names: bool = False,
) -> Staged:
    """Recognise, clean and store ``uploads`` for ``case`` (its ``_id`` and ``tenant``; the
    case itself may not be written yet) without registering them.

    The caller registers ``entries`` in the write that changes the case, and calls
    :func:`discard` if that write fails. Raises a Problem, having stored nothing, if any
    file is refused. ``neutral_names``: each file is stored as "bukti-<n>" with its type's
    extension, and the name it came with is kept nowhere (a citizen's "laporan_siti.pdf"
    would name a confidential reporter, as a photo's EXIF would place them).
    """
    held = {e["original_sha256"]: e for e in case.get("evidence", [])}
    if len(uploads) > MAX_FILES_PER_REQUEST:
        raise Problem(
            422,
            f"Send at most {MAX_FILES_PER_REQUEST} files per request; "
            "nothing of this request was stored.",
            errors=[{"field": "file", "message": "too many files", "code": "too_many_files"}],
        )
    already = len(held)
    files = bucket()
    written: list[ObjectId] = []
    results: list[Added] = []
    new_entries: list[dict[str, Any]] = []
    try:
        for index, upload in enumerate(uploads):
            prepared = prepare(upload, index, limits)
            known = held.get(prepared.original_sha256)
            if known is not None:
                results.append(Added(known, created=False))
                continue
            _check_room(already, len(new_entries) + 1, limits)
            if neutral_names:
                number = already + len(new_entries) + 1
                prepared = replace(
                    prepared, filename=sanitise_filename(f"bukti-{number}", prepared.kind)
                )
            file_id = ObjectId()
            entry = _entry(file_id, prepared, principal, now)
            files.upload_from_stream_with_id(
                file_id,
                prepared.filename,
                io.BytesIO(prepared.stored),
                metadata={
                    "tenant": case["tenant"],
                    "case_id": str(case["_id"]),
                    "sha256": prepared.sha256,
                    "original_sha256": prepared.original_sha256,
                    "content_type": prepared.kind.content_type,
                    "uploaded_at": now,
                },
            )
            written.append(file_id)
            held[prepared.original_sha256] = entry
            new_entries.append(entry)
            results.append(Added(entry, created=True))
    except BaseException:
        _delete(files, written)
        raise
    return Staged(results, new_entries, written)


def discard(staged: Staged) -> None:
    """Delete the files of a staging whose registration failed."""
    _delete(bucket(), staged.written)


def _check_room(held: int, adding: int, limits: Limits) -> None:
    if held + adding > limits.max_files_per_case:
        raise Problem(
            422,
            f"A case holds at most {limits.max_files_per_case} evidence files; this one has "
            f"{held}, so {max(limits.max_files_per_case - held, 0)} more can be added. "
            "Nothing of this request was stored.",
            errors=[{"field": "file", "message": "case evidence limit", "code": "evidence_limit"}],
        )


def _entry(
    file_id: ObjectId, prepared: Prepared, principal: Principal, now: datetime
) -> dict[str, Any]:
    return {
        "id": str(file_id),
        "filename": prepared.filename,
        "kind": prepared.kind.kind,
        "content_type": prepared.kind.content_type,
        "declared_content_type": prepared.declared_type,
        "size": len(prepared.stored),
        "sha256": prepared.sha256,
        "original_size": prepared.original_size,
        "original_sha256": prepared.original_sha256,
        "metadata_removed": prepared.metadata_removed,
        "uploaded_by": {
            "name": principal.name,
            "key_prefix": principal.key_prefix,
            "role": principal.role,
        },
        "uploaded_at": now,
    }


def _register(
    case: dict[str, Any],
    entries: list[dict[str, Any]],
    principal: Principal,
    now: datetime,
    correlation_id: str,
    limits: Limits,
) -> None:
    """Entries, timeline entry, audit entry and ``case.updated`` in one transaction."""
    count = len(entries)
    hashes = [e["original_sha256"] for e in entries]

    def decide(current: dict[str, Any]) -> Plan:
        held = current.get("evidence", [])
        if any(e.get("original_sha256") in hashes for e in held):
            raise Problem(
                409,
                "The same file was added to this case by another request at the same moment; "
                "nothing of this request was stored. List the case's evidence and send the rest.",
            )
        _check_room(len(held), count, limits)
        event = CaseUpdated(
            case_id=str(current["_id"]),
            changed=["evidence"],
            title=current["title"],
            description=current["description"],
            evidence_urls=list(current.get("evidence_urls", [])),
            accused=[
                AccusedRef(
                    name=a["name"],
                    nip=a.get("nip"),
                    employment_type=a["employment_type"],
                    agency=a.get("agency"),
                    position=a.get("position"),
                )
                for a in current.get("accused", [])
            ],
        )
        return Plan(
            action="evidence_added",
            summary=f"{count} berkas bukti ditambahkan",
            appends={"evidence": entries},
            events=(event,),
            timeline={"evidence_ids": [e["id"] for e in entries]},
        )

    # No version to check: adding files overwrites nothing, and the decision above runs on
    # the case as the transaction sees it, so a concurrent upload of the same file loses.
    case_actions.apply(
        str(case["_id"]),
        principal=principal,
        expected_version=None,
        request_id=correlation_id,
        now=now,
        correlation_id=correlation_id,
        decide=decide,
    )


def _delete(files: GridFSBucket, ids: list[ObjectId]) -> None:
    for file_id in ids:
        try:
            files.delete(file_id)
        except Exception:
            # Logged with its id: an orphan file that an operator can remove by hand.
            log.exception("cannot delete refused evidence file", extra={"file_id": str(file_id)})


# --------------------------------------------------------------------------- reading


def find_entry(case: dict[str, Any], evidence_id: str) -> dict[str, Any]:
    """The entry ``evidence_id`` of ``case``; 404 if the case holds no such file."""
    for entry in case.get("evidence", []):
        if entry["id"] == evidence_id:
            found: dict[str, Any] = entry
            return found
    raise Problem(404, "This case holds no evidence file with this id.")


def open_file(case: dict[str, Any], entry: dict[str, Any]) -> GridOut:
    """A stream of the stored bytes of ``entry``, checked to belong to ``case``."""
    try:
        stream = bucket().open_download_stream(ObjectId(entry["id"]))
    except (NoFile, InvalidId) as exc:
        # Registered but absent: a custody failure an operator must see, not a client error.
        log.error(
            "evidence file missing from storage",
            extra={"case_id": str(case["_id"]), "evidence_id": entry["id"]},
        )
        raise Problem(
            500, "The stored file is missing; quote the request id to the operator."
        ) from exc
    meta = stream.metadata or {}
    if meta.get("tenant") != case["tenant"] or meta.get("case_id") != str(case["_id"]):
        stream.close()
        raise Problem(404, "This case holds no evidence file with this id.")
    return stream
