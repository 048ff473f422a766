"""The export runner: a background task of intake's worker that writes queued exports.

Each round it claims one queued job (or one whose worker's lease ran out), streams the
matching cases from a cursor in batches into a GridFS file, and renews its lease with every
progress update. Memory stays at about one batch, whatever the export's size: rows are
encoded batch by batch and GridFS writes them out in chunks.

A worker that loses its lease (it stalled past it and another took the job over) notices
at its next progress update, throws its partial file away and leaves the job to the other.
Between rounds it sweeps expired jobs and their files.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from bson import ObjectId
from gridfs import GridFSBucket
from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import PyMongoError

from services.intake.access.vault import Vault, VaultError, parse_key
from services.intake.exports import csv_rows as export_csv
from services.intake.exports import jobs as export_jobs
from shared.broker.connection import Backoff
from shared.regions import timezone_for
from shared.settings import Settings

log = logging.getLogger(__name__)

Document = dict[str, Any]

SWEEP_EVERY_S: Final = 60.0
CHUNK_BYTES: Final = 255 * 1024


class LeaseLost(Exception):
    """Another worker holds the job now; this one must stop writing it."""


def vault_from(settings: Settings) -> Vault | None:
    encoded = settings.vault_key.get_secret_value()
    return Vault(parse_key(encoded)) if encoded else None


class ExportRunner:
    """Claims and runs export jobs; run one per worker replica, as many as needed."""

    def __init__(
        self,
        db: Database[Document],
        *,
        vault: Vault | None,
        interval: float = 2.0,
        batch: int = 500,
        progress_every: int = 1000,
        lease: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.jobs: Collection[Document] = export_jobs.jobs(db)
        self.cases: Collection[Document] = db["cases"]
        self.access_log: Collection[Document] = db["access_log"]
        self.files: GridFSBucket = export_jobs.bucket(db)
        self.vault = vault
        self.interval = interval
        self.batch = batch
        self.progress_every = progress_every
        self.lease = lease
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    @classmethod
    def from_settings(cls, db: Database[Document], settings: Settings) -> ExportRunner:
        return cls(db, vault=vault_from(settings), interval=settings.export_poll_interval_s)

    # ------------------------------------------------------------------------- the loop

    def run(self, stop: threading.Event) -> None:
        """Run jobs until ``stop`` is set; a failing round backs off and tries again."""
        backoff = Backoff(initial=0.5, cap=30.0)
        swept = float("-inf")  # sweep at start, then every SWEEP_EVERY_S
        while not stop.is_set():
            try:
                if time.monotonic() - swept >= SWEEP_EVERY_S:
                    self.sweep()
                    swept = time.monotonic()
                ran = self.run_once()
            except Exception:
                log.exception("export round failed; retrying")
                backoff.wait(stop)
                continue
            backoff.reset()
            if not ran:
                stop.wait(self.interval)

    def run_once(self) -> bool:
        """Claim and run one job; False if none was waiting."""
        job = self.claim()
        if job is None:
            return False
        self.execute(job)
        return True

    # ------------------------------------------------------------------------- claiming

    def claim(self) -> Document | None:
        """The oldest queued job, or one whose lease ran out, now leased to this runner."""
        now = self.clock()
        file_id = ObjectId()
        before = self.jobs.find_one_and_update(
            {
                "$or": [
                    {"status": "queued"},
                    {"status": "running", "lease_until": {"$lt": now}},
                ],
                "expires_at": {"$gt": now},
            },
            [
                {
                    "$set": {
                        "status": "running",
                        "lease_owner": self.owner,
                        "lease_until": now + self.lease,
                        "file_id": file_id,
                        "rows_written": 0,
                        "updated_at": now,
                        "started_at": {"$ifNull": ["$started_at", now]},
                        "attempts": {"$add": [{"$ifNull": ["$attempts", 0]}, 1]},
                    }
                }
            ],
            sort=[("created_at", 1)],
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            return None
        if before.get("file_id") is not None:
            # The previous attempt's worker died mid-file: its chunks have no file entry.
            self._discard(before["file_id"])
        job = {
            **before,
            "status": "running",
            "lease_owner": self.owner,
            "file_id": file_id,
            "attempts": before.get("attempts", 0) + 1,
            "started_at": before.get("started_at") or now,
        }
        if job["attempts"] > export_jobs.MAX_ATTEMPTS:
            self._fail(
                job, "The export stopped repeatedly; ask for it again with narrower filters."
            )
            return None
        log.info("export claimed", extra={"export_id": str(job["_id"]), "attempt": job["attempts"]})
        return job

    # -------------------------------------------------------------------------- running

    def execute(self, job: Document) -> None:
        """Write ``job``'s file and mark it done; a failure marks it failed with a reason."""
        started = time.perf_counter()
        try:
            rows = self._write(job)
        except LeaseLost:
            log.warning("export taken over by another worker", extra={"export_id": str(job["_id"])})
            return
        except PyMongoError:
            # The database is unreachable: the lease runs out and a worker tries again.
            log.warning("export interrupted by the database", extra={"export_id": str(job["_id"])})
            raise
        except Exception:
            log.exception("export failed", extra={"export_id": str(job["_id"])})
            self._fail(job, "The export could not be written; quote its id to the operator.")
            return
        now = self.clock()
        done = self.jobs.update_one(
            {"_id": job["_id"], "lease_owner": self.owner, "status": "running"},
            {
                "$set": {
                    "status": "done",
                    "rows_written": rows,
                    "updated_at": now,
                    "finished_at": now,
                    "lease_owner": None,
                    "lease_until": None,
                }
            },
        )
        if done.matched_count == 0:
            self._discard(job["file_id"])  # another worker owns the job now
            return
        log.info(
            "export done",
            extra={
                "export_id": str(job["_id"]),
                "rows": rows,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )

    def _write(self, job: Document) -> int:
        """Stream the job's cases into its GridFS file; the number of rows written."""
        include = bool(job["include_reporter"])
        if include and self.vault is None:
            raise VaultError("no vault key on this worker")
        filename = f"pantau-kasus-{job['region']}-{_stamp(job['created_at'])}.csv"
        stream = self.files.open_upload_stream_with_id(
            job["file_id"],
            filename,
            chunk_size_bytes=CHUNK_BYTES,
            metadata={
                "export_id": str(job["_id"]),
                "region": job["region"],
                "content_type": "text/csv; charset=utf-8",
                "expires_at": job["expires_at"],
            },
        )
        rows = 0
        reported = 0
        last_renewal = time.monotonic()
        try:
            stream.write(export_csv.encode_rows([export_csv.header(include)], first=True))
            cursor = (
                self.cases.find(export_jobs.criteria_of(job), export_csv.PROJECTION)
                .sort("_id", 1)
                .batch_size(self.batch)
                .allow_disk_use(True)
            )
            pending: list[Document] = []
            for doc in cursor:
                pending.append(doc)
                if len(pending) < self.batch:
                    continue
                rows += self._write_batch(stream, job, pending)
                pending = []
                # Progress (and the lease) every N rows, and often enough in time that a
                # slow export (the vault opens identities one by one) keeps its lease.
                if (
                    rows - reported >= self.progress_every
                    or time.monotonic() - last_renewal >= self.lease.total_seconds() / 3
                ):
                    self._progress(job, rows)
                    reported, last_renewal = rows, time.monotonic()
            if pending:
                rows += self._write_batch(stream, job, pending)
            self._progress(job, rows)
        except BaseException:
            stream.abort()
            raise
        stream.close()
        return rows

    def _write_batch(self, stream: Any, job: Document, docs: list[Document]) -> int:
        identities = self._identities(job, docs) if job["include_reporter"] else {}
        rows = [
            export_csv.format_row(
                doc,
                # Moments in the case's own regency's zone: what its office's clock showed.
                tz=timezone_for(doc["tenant"]),
                identity=identities.get(doc["_id"]),
                include_reporter=bool(job["include_reporter"]),
            )
            for doc in docs
        ]
        stream.write(export_csv.encode_rows(rows))
        return len(rows)

    def _identities(self, job: Document, docs: list[Document]) -> dict[ObjectId, Document]:
        """The opened identities of the batch's cases that have one; each one is logged."""
        assert self.vault is not None
        ids = [d["_id"] for d in docs if not (d.get("reporter") or {}).get("anonymous", True)]
        if not ids:
            return {}
        tenants = {d["_id"]: d["tenant"] for d in docs}
        found: dict[ObjectId, Document] = {}
        for record in self.db["reporter_vault"].find({"_id": {"$in": ids}}):
            try:
                found[record["_id"]] = self.vault.open(record, str(record["_id"]))
            except VaultError:
                # One unreadable record must not sink the export: its cells stay empty and
                # the operator is told which case it is.
                log.error("reporter identity does not open", extra={"case_id": str(record["_id"])})
        if found:
            now = self.clock()
            requester = job["requester"]
            # Per case as well as per export: "who has seen this reporter?" is asked of a case.
            self.access_log.insert_many(
                [
                    {
                        "at": now,
                        "tenant": tenants[case_id],
                        "case_id": str(case_id),
                        "action": "export_reporter",
                        "actor_name": requester["name"],
                        "actor_key": requester["key"],
                        "actor_role": requester["role"],
                        "reason": f"ekspor {job['_id']}: {job.get('reason') or ''}",
                        "request_id": job.get("request_id"),
                    }
                    for case_id in found
                ]
            )
        return found

    def _progress(self, job: Document, rows: int) -> None:
        now = self.clock()
        renewed = self.jobs.update_one(
            {"_id": job["_id"], "lease_owner": self.owner, "status": "running"},
            {"$set": {"rows_written": rows, "updated_at": now, "lease_until": now + self.lease}},
        )
        if renewed.matched_count == 0:
            raise LeaseLost(str(job["_id"]))

    def _fail(self, job: Document, reason: str) -> None:
        now = self.clock()
        self.jobs.update_one(
            {"_id": job["_id"], "lease_owner": self.owner},
            {
                "$set": {
                    "status": "failed",
                    "error": reason,
                    "updated_at": now,
                    "finished_at": now,
                    "lease_owner": None,
                    "lease_until": None,
                }
            },
        )
        if job.get("file_id") is not None:
            self._discard(job["file_id"])

    def _discard(self, file_id: ObjectId) -> None:
        """Delete a file, complete or partial (chunks without a file entry)."""
        self.db[f"{export_jobs.BUCKET}.files"].delete_one({"_id": file_id})
        self.db[f"{export_jobs.BUCKET}.chunks"].delete_many({"files_id": file_id})

    # --------------------------------------------------------------------------- expiry

    def sweep(self) -> int:
        """Delete expired jobs with their files, and files whose job is gone; how many."""
        now = self.clock()
        removed = 0
        for job in self.jobs.find({"expires_at": {"$lte": now}}, {"file_id": 1}).limit(1000):
            if job.get("file_id") is not None:
                self._discard(job["file_id"])
            removed += self.jobs.delete_one({"_id": job["_id"]}).deleted_count
        files = self.db[f"{export_jobs.BUCKET}.files"]
        for entry in files.find({"metadata.expires_at": {"$lte": now}}, {"_id": 1}).limit(1000):
            self._discard(entry["_id"])
            removed += 1
        if removed:
            log.info("expired exports deleted", extra={"count": removed})
        return removed


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d-%H%M%S")
