"""Multi-document writes in one MongoDB transaction (the deployment is a replica set).

A triage decision touches several documents at once: the decision with its outbox, the
case's state, its dedup facts, the cases it links to. Either all of them change or none.
Transient conflicts (another writer touched the same document) are retried by the driver
with the whole callback, which therefore reads what it needs inside the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

T = TypeVar("T")


def in_transaction(client: MongoClient[Any], work: Callable[[ClientSession], T]) -> T:
    """Run ``work(session)`` in a transaction, retried on transient errors; its result."""
    with client.start_session() as session:
        return session.with_transaction(
            work,
            read_concern=ReadConcern("snapshot"),
            write_concern=WriteConcern("majority"),
        )
