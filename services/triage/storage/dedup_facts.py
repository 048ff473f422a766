"""Stored comparison facts of every case, and the reads duplicate detection needs.

Each case keeps one document with its canonical links, accused, text signature, blocking
keys and person keys. Candidates for a new case are the cases of the same province that
matching could link to it, found by a few indexed reads (``candidate_searches``); province
clusters are computed from the province's recent facts (one range query).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pymongo import DESCENDING, UpdateOne
from pymongo.client_session import ClientSession
from pymongo.collection import Collection

from services.triage.decide import Candidate
from services.triage.domain.dedup import (
    Cluster,
    DedupConfig,
    DedupFacts,
    blocking_keys,
    link_keys,
    needs_text,
    person_keys,
    person_query_keys,
    province_clusters,
)
from services.triage.domain.text_signature import TextSignature, text_keys
from shared import dates

Document = dict[str, Any]

# Plenty for a real regency; bounds the work when a template report matches hundreds.
MAX_CANDIDATES = 200
MAX_CLUSTER_FACTS = 5000


def facts_doc(facts: DedupFacts, duplicate_of: str | None) -> Document:
    return {
        "_id": facts.case_id,
        "tenant": facts.tenant,
        "province": facts.province,
        "received_at": facts.received_at,
        "category": facts.category,
        "canonical_urls": sorted(facts.canonical_urls),
        "accused_nips": sorted(facts.accused_nips),
        "accused_names": sorted([name, agency] for name, agency in facts.accused_names),
        "shingles": sorted(facts.signature.shingles),
        "minhash": list(facts.signature.minhash),
        "blocking_keys": sorted(blocking_keys(facts)),
        **person_fields(facts),
        "duplicate_of": duplicate_of,
    }


def person_fields(facts: DedupFacts) -> Document:
    """The fields through which a named report's text search finds earlier reports: those
    naming possibly the same person (``person_keys``), and those naming nobody."""
    return {"person_keys": sorted(person_keys(facts)), "named": bool(facts.accused_names)}


def facts_from_doc(doc: Document) -> DedupFacts:
    received = dates.aware(doc["received_at"])
    return DedupFacts(
        case_id=str(doc["_id"]),
        tenant=str(doc["tenant"]),
        received_at=received,
        category=doc.get("category"),
        canonical_urls=frozenset(doc.get("canonical_urls", ())),
        accused_nips=frozenset(doc.get("accused_nips", ())),
        accused_names=frozenset((str(n), str(a)) for n, a in doc.get("accused_names", ())),
        signature=TextSignature(
            shingles=frozenset(int(h) for h in doc.get("shingles", ())),
            minhash=tuple(int(h) for h in doc.get("minhash", ())),
        ),
    )


# The candidate search leaves out what matching does not read (the index keys, the MinHash)
# and the shingles, which are read afterwards for the candidates whose text is compared.
_CANDIDATE_FIELDS: Document = {"blocking_keys": 0, "person_keys": 0, "minhash": 0, "shingles": 0}


def _accused_may_agree(facts: DedupFacts) -> Document:
    """The query form of "the accused are not clearly other people" (``needs_text``) for a
    stored case that shares no link key with ``facts``; {} when it holds for every case.

    It mirrors ``_accused_differ`` in the domain: NIPs on both sides decide alone (a stored
    case with one of these NIPs shares an ``n:`` key, so here it must have none); otherwise
    names on both sides must overlap, one name's words within the other's. The domain's
    check still runs on what comes back; this only keeps the rest in the database, where a
    monitoring burst written from one template would otherwise fill the candidate limit
    with reports about other people (tests/integration/triage compares the two).
    """
    clauses: list[Document] = []
    if facts.accused_nips:
        clauses.append({"accused_nips": {"$size": 0}})
    if facts.accused_names:
        ours = [{"$literal": sorted(set(name.split()))} for name, _ in facts.accused_names]
        overlaps = [
            {"$or": [{"$setIsSubset": ["$$words", w]}, {"$setIsSubset": [w, "$$words"]}]}
            for w in ours
        ]
        any_name_overlaps = {
            "$anyElementTrue": [
                {
                    "$map": {
                        "input": {"$ifNull": ["$accused_names", []]},
                        "as": "person",
                        "in": {
                            "$let": {
                                "vars": {
                                    "words": {"$split": [{"$arrayElemAt": ["$$person", 0]}, " "]}
                                },
                                "in": {"$or": overlaps},
                            }
                        },
                    }
                }
            ]
        }
        clauses.append({"$or": [{"accused_names": {"$size": 0}}, {"$expr": any_name_overlaps}]})
    return {"$and": clauses} if clauses else {}


@dataclass(frozen=True)
class Search:
    """One read of the candidate search, and the index it must use."""

    query: Document
    index: str


def candidate_searches(facts: DedupFacts, window: timedelta) -> list[Search]:
    """The reads that find the stored cases matching could link to ``facts``.

    A case sharing a link key (the same post or account, the same accused) is a candidate
    at any time, as the same post is linked however late. A case sharing only text keys is
    one only within the window and when its accused are not clearly other people, since
    only then are the texts compared. For a report that names someone, those are the
    reports naming possibly the same person (found by person keys) and the reports naming
    nobody, so a burst of one template about many people stays out of the index scan.

    Each read names its index: asked as one query sorted by date, the planner prefers
    walking the date index through the whole window, reading every report in it.
    """
    searches: list[Search] = []
    mine = {"province": facts.province, "_id": {"$ne": facts.case_id}}
    links = sorted(link_keys(facts))
    if links:
        searches.append(Search({**mine, "blocking_keys": {"$in": links}}, "dedup_candidates"))
    words = sorted(text_keys(facts.signature))
    if not words:
        return searches
    text: Document = {
        **mine,
        "blocking_keys": {"$in": words},
        "received_at": {"$gte": facts.received_at - window, "$lte": facts.received_at + window},
        **_accused_may_agree(facts),
    }
    if facts.accused_names:
        people = sorted(person_query_keys(facts))
        searches.append(Search({**text, "person_keys": {"$in": people}}, "dedup_people"))
        searches.append(Search({**text, "named": False}, "dedup_unnamed"))
    else:
        searches.append(Search(text, "dedup_candidates"))
    return searches


def find_candidates(
    collection: Collection[Document],
    facts: DedupFacts,
    *,
    session: ClientSession | None = None,
    limit: int = MAX_CANDIDATES,
    config: DedupConfig | None = None,
) -> list[Candidate]:
    """Earlier cases of the same province that matching could link to ``facts``.

    The candidates (``candidate_searches``, newest first) without their text, then the shingles
    of those whose text matching compares (``needs_text``); a candidate found through a
    link key alone is often about other people, and its shingles would be decoded for
    nothing.
    """
    matching = config or DedupConfig()
    unique: dict[str, Document] = {}
    for search in candidate_searches(facts, matching.window):
        cursor = (
            collection.find(search.query, _CANDIDATE_FIELDS, session=session)
            .hint(search.index)
            .sort("received_at", DESCENDING)
            .limit(limit)
        )
        unique.update((str(doc["_id"]), doc) for doc in cursor)
    newest = sorted(unique.values(), key=lambda d: (d["received_at"], str(d["_id"])), reverse=True)
    docs = newest[:limit]
    found = [facts_from_doc(doc) for doc in docs]
    wanted = [f.case_id for f in found if needs_text(facts, f, matching)]
    if wanted:
        texts = {
            str(doc["_id"]): frozenset(int(h) for h in doc.get("shingles", ()))
            for doc in collection.find({"_id": {"$in": wanted}}, {"shingles": 1}, session=session)
        }
        found = [
            replace(f, signature=TextSignature(texts[f.case_id], ())) if f.case_id in texts else f
            for f in found
        ]
    return [Candidate(f, doc.get("duplicate_of")) for f, doc in zip(found, docs, strict=True)]


def backfill_person_fields(
    collection: Collection[Document], since: datetime, batch: int = 500
) -> int:
    """Give the person fields to facts received since ``since`` and written before the
    fields existed; the number done.

    Only the text search reads the fields, and it reads only reports within the window of
    the report searched for, so older facts are left as they are: that keeps this a range
    read of each province's recent facts (on the date index) at every start, not a scan of
    years of reports. Safe to run from every replica at once (each writes the same values).
    """
    done = 0
    for province in collection.distinct("province"):
        query = {"province": province, "received_at": {"$gte": since}, "named": {"$exists": False}}
        while docs := list(
            collection.find(query, {"tenant": 1, "received_at": 1, "accused_names": 1})
            .hint("clusters")
            .limit(batch)
        ):
            collection.bulk_write(
                [
                    UpdateOne({"_id": doc["_id"]}, {"$set": person_fields(facts_from_doc(doc))})
                    for doc in docs
                ],
                ordered=False,
            )
            done += len(docs)
    return done


def clusters_of(
    collection: Collection[Document],
    province: str,
    since: datetime,
    config: DedupConfig,
    categories: Sequence[str] = (),
) -> tuple[list[Cluster], dict[str, Document]]:
    """Clusters of the same hoax across the province's regencies since ``since``, and a
    summary (tenant, received_at, category) of every case in them."""
    query: Document = {"province": province, "received_at": {"$gte": since}}
    if categories:
        query["category"] = {"$in": list(categories)}
    docs = list(
        collection.find(query, {"blocking_keys": 0, "person_keys": 0})
        .sort("received_at", DESCENDING)
        .limit(MAX_CLUSTER_FACTS)
    )
    clusters = province_clusters([facts_from_doc(d) for d in docs], config)
    members = {c for cluster in clusters for c in cluster.case_ids}
    summary = {
        str(d["_id"]): {
            "tenant": d["tenant"],
            "received_at": d["received_at"],
            "category": d.get("category"),
        }
        for d in docs
        if d["_id"] in members
    }
    return clusters, summary
