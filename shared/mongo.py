"""MongoDB connections through mongoengine, one alias per owning service.

Each service owns the database ``<prefix>_<service>`` and registers it under an alias of the
same name, so tests (and the local tools) can hold all three in one process without mixing
them. ``connect=False`` defers the socket to first use: a gunicorn worker opens its own after
fork, never inheriting the master's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import mongoengine
import pymongo
from pymongo import MongoClient
from pymongo.database import Database

from shared.settings import Settings

log = logging.getLogger(__name__)

# How long a write waits for a majority of the replica set to confirm it. Shorter than the
# time a primary that lost its majority takes to step down (MongoDB's election timeout,
# 10 s), so the request usually fails while it can still mark its Idempotency-Key claim for
# an immediate retry; shorter than the socket timeout and a client's patience.
MAJORITY_WAIT_MS = 8_000


def connect(settings: Settings, service: str) -> None:
    """Register the database of ``service`` under the alias ``service``."""
    mongoengine.connect(
        db=settings.database_name(service),
        host=settings.mongo_url,
        alias=service,
        connect=False,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=5000,
        # A hung or lost database must turn into a clear error, not a request that never ends.
        socketTimeoutMS=20000,
        connectTimeoutMS=5000,
        # Durable means confirmed by a majority of the replica set and journaled, whatever
        # default a cluster's administrator has set; a write no majority confirms within the
        # limit is an error (a 503 to the client), never a 201 for a case that could be lost
        # when the primary fails over. Retryable writes and reads are pymongo's defaults.
        w="majority",
        journal=True,
        wTimeoutMS=MAJORITY_WAIT_MS,
    )


def disconnect(service: str) -> None:
    """Drop the alias (and close its client)."""
    mongoengine.disconnect(alias=service)


def database(service: str) -> Database[dict[str, object]]:
    """The pymongo database behind a service's alias, for raw atomic operations."""
    db: Database[dict[str, object]] = mongoengine.get_db(alias=service)
    return db


def ping(service: str, timeout_ms: int = 1000) -> bool:
    """Whether the service's database answers within ``timeout_ms``."""
    client: MongoClient[dict[str, object]] = mongoengine.get_connection(alias=service)
    try:
        # pymongo.timeout bounds server selection, the connection checkout and the reply, so a
        # lost or hung database answers False within the limit; maxTimeMS alone only bounds
        # the server's own work, after serverSelectionTimeoutMS (seconds) has been waited out.
        with pymongo.timeout(timeout_ms / 1000):
            client.admin.command("ping")
    except Exception:
        return False
    return True


def ensure_in_background(ensure: Callable[[], None], service: str, retry_s: float = 5.0) -> None:
    """Create a service's indexes from a daemon thread, retrying until MongoDB answers.

    An HTTP worker must boot even while the database is down (readiness reports the outage);
    the unique indexes that keep cases from doubling still appear as soon as it is back.
    """

    def run() -> None:
        while True:
            try:
                ensure()
                return
            except Exception:
                if not _registered(service):
                    return  # the app was shut down and its database unregistered
                log.warning("cannot create indexes yet; retrying", extra={"service": service})
                time.sleep(retry_s)

    threading.Thread(target=run, name=f"{service}-indexes", daemon=True).start()


def _registered(service: str) -> bool:
    """Whether the service's database alias is still registered in this process."""
    try:
        mongoengine.get_connection(alias=service)
    except mongoengine.connection.ConnectionFailure:
        return False
    return True
