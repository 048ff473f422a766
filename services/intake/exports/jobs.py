"""Export jobs: asked for over HTTP (an ``ExportRequest``), run by intake's worker, kept for a
while, then deleted.

A job is one document of the ``exports`` collection; its CSV is one file of the GridFS
bucket ``exports``. States: queued -> running -> done | failed. A worker claims a job with a
lease (``lease_owner``, ``lease_until``) that it renews with every progress update; a job
whose lease ran out (its worker died) is claimed again by any worker, at most
``MAX_ATTEMPTS`` times.

Expiry: ``expires_at`` ends a job for its users (answers 404 from then on); the worker's
sweep deletes expired jobs together with their files. A TTL index on ``purge_at`` (a grace
period later) removes jobs no sweep reached, and the sweep also deletes any file whose job
is gone, so neither outlives its time for long.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final, Self

from bson import ObjectId
from bson.errors import InvalidId
from gridfs import GridFSBucket
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError
from pymongo import ASCENDING
from pymongo.collection import Collection
from pymongo.database import Database

from services.intake.cases.filters import CaseFilters, build_criteria
from shared import dates, mongo
from shared.auth import Principal
from shared.problems import Problem

COLLECTION: Final = "exports"
BUCKET: Final = "exports"
ACTIVE: Final = ("queued", "running")
MAX_ATTEMPTS: Final = 3
# Time for the sweep to delete a job with its file before the TTL monitor removes the job
# alone (the sweep then still finds the file by its own expiry).
PURGE_GRACE: Final = timedelta(hours=1)
# Counting must not hold a request for long; an export of more cases is refused anyway.
COUNT_TIME_MS: Final = 10_000

Document = dict[str, Any]


class ExportRequest(CaseFilters):
    """The cases to export (the filters of ``GET /v1/cases``) and whether to add reporters."""

    include_reporter: bool = Field(
        default=False,
        description="Add the reporter's name, phone and e-mail (roles allowed to reveal "
        "reporters only; written to the access log)",
    )
    reason: str | None = Field(
        default=None,
        min_length=10,
        max_length=500,
        description="Why the identities are needed; required with include_reporter",
    )

    @model_validator(mode="after")
    def _reason_with_reporter(self) -> Self:
        if self.include_reporter and self.reason is None:
            raise PydanticCustomError(
                "reason_required", "say why you need the reporters' identities (10-500 characters)"
            )
        return self


def jobs(db: Database[Document] | None = None) -> Collection[Document]:
    return (db if db is not None else mongo.database("intake"))[COLLECTION]


def bucket(db: Database[Document] | None = None) -> GridFSBucket:
    return GridFSBucket(db if db is not None else mongo.database("intake"), bucket_name=BUCKET)


def ensure_indexes(db: Database[Document]) -> None:
    collection = jobs(db)
    collection.create_index([("status", ASCENDING), ("created_at", ASCENDING)], name="claim")
    collection.create_index(
        [("requester.key", ASCENDING), ("status", ASCENDING)], name="per_key_active"
    )
    collection.create_index("purge_at", expireAfterSeconds=0, name="job_expiry")
    db[f"{BUCKET}.files"].create_index("metadata.expires_at", name="file_expiry")


def principal_of(job: Document) -> Principal:
    """Who asked for ``job``: the runner selects with that caller's area and rights."""
    requester = job["requester"]
    return Principal(
        key_prefix=requester["key"],
        name=requester["name"],
        region=job["region"],
        role=requester["role"],
    )


def criteria_of(job: Document) -> Document:
    """The query of ``job``, rebuilt from its stored filters as of the moment it was asked."""
    filters = ExportRequest.model_validate(job["filters"])
    return build_criteria(filters, principal_of(job), now=job["as_of"])


def new_job(
    request: ExportRequest,
    principal: Principal,
    *,
    now: datetime,
    total: int,
    ttl: timedelta,
    request_id: str | None,
) -> Document:
    """The document of a queued job (pure)."""
    expires = now + ttl
    return {
        "_id": ObjectId(),
        "region": principal.region,
        "requester": {
            "key": principal.key_prefix,
            "name": principal.name,
            "role": principal.role,
        },
        "filters": request.model_dump(
            mode="json", exclude_none=True, exclude={"include_reporter", "reason"}
        ),
        "include_reporter": request.include_reporter,
        "reason": request.reason,
        "request_id": request_id,
        "as_of": now,
        "status": "queued",
        "rows_written": 0,
        "total_estimated": total,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
        "started_at": None,
        "finished_at": None,
        "expires_at": expires,
        "purge_at": expires + PURGE_GRACE,
        "lease_owner": None,
        "lease_until": None,
        "file_id": None,
        "error": None,
    }


def count_cases(cases: Collection[Document], criteria: Document) -> int:
    """Cases matching ``criteria``: the job's estimate, and the figure a refusal names."""
    return cases.count_documents(criteria, maxTimeMS=COUNT_TIME_MS)


def refuse_if_too_large(count: int, limit: int) -> None:
    if count > limit:
        raise Problem(
            422,
            f"These filters select {count} cases; one export may hold at most {limit}. "
            "Narrow them (a region, a submission period, a status) and export in parts.",
            errors=[
                {
                    "field": "",
                    "message": f"{count} cases match, more than {limit}",
                    "code": "export_too_large",
                }
            ],
            extra={"matching": count, "max_rows": limit},
        )


def enqueue(collection: Collection[Document], job: Document, max_active: int) -> None:
    """Store ``job``, or refuse with 429 if its key already has ``max_active`` under way.

    Inserted first and counted after, so two requests racing for the last place cannot both
    win: each sees the other, and at worst both are told to wait.
    """
    collection.insert_one(job)
    key = job["requester"]["key"]
    active = collection.count_documents({"requester.key": key, "status": {"$in": list(ACTIVE)}})
    if active > max_active:
        collection.delete_one({"_id": job["_id"]})
        raise Problem(
            429,
            f"This key has {max_active} exports queued or running, the most it may have; "
            "wait for one to finish.",
            headers={"Retry-After": "30"},
            extra={"max_active": max_active},
        )


def find_visible(
    collection: Collection[Document], export_id: str, principal: Principal, now: datetime
) -> Document:
    """The job if ``principal`` may see it; 404 otherwise (never 403: no probing).

    A job belongs to its key's region: keys of another region never see it. One that
    holds reporter identities is shown only to the key that asked for it, since the access
    log names that key as the one who saw them.
    """
    try:
        oid = ObjectId(export_id)
    except (InvalidId, TypeError) as exc:
        raise Problem(404, "No export with this id.") from exc
    job = collection.find_one({"_id": oid})
    if (
        job is None
        or job["region"] != principal.region
        or (job["include_reporter"] and job["requester"]["key"] != principal.key_prefix)
        or dates.aware(job["expires_at"]) <= now
    ):
        raise Problem(404, "No export with this id.")
    return job


def percent(job: Document) -> float:
    """How far the job is, 0-100 (an estimate while new cases arrive)."""
    if job["status"] == "done":
        return 100.0
    total = int(job.get("total_estimated") or 0)
    if not total:
        return 0.0
    return round(min(100.0, int(job.get("rows_written", 0)) * 100 / total), 1)


def view(job: Document) -> Document:
    """A job as clients see it (the ExportJob model's fields)."""
    job_id = str(job["_id"])
    done = job["status"] == "done"
    return {
        "id": job_id,
        "status": job["status"],
        "include_reporter": job["include_reporter"],
        "filters": job["filters"],
        "rows_written": job.get("rows_written", 0),
        "total_estimated": job.get("total_estimated", 0),
        "percent": percent(job),
        "created_at": job["created_at"],
        "started_at": job.get("started_at"),
        "updated_at": job["updated_at"],
        "finished_at": job.get("finished_at"),
        "expires_at": job["expires_at"],
        "error": job.get("error"),
        "links": {
            "self": f"/v1/exports/{job_id}",
            "download": f"/v1/exports/{job_id}/download" if done else None,
        },
    }
