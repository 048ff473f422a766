"""Registering a submitted case: the case, its event and (if any) the sealed reporter identity,
written together or not at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.client_session import ClientSession
from pymongo.errors import DuplicateKeyError

from services.intake.access.models import ReporterRecord
from services.intake.access.vault import Vault, new_pseudonym
from services.intake.cases.models import Case
from services.intake.cases.ordering import queue_keys
from services.intake.cases.readers import may_hear_of
from services.intake.cases.schemas import CaseSubmission, is_late_filing
from services.intake.cases.tracking import new_tracking_code
from shared import outbox
from shared.auth import Principal
from shared.contracts import AccusedRef, CaseSubmitted, Event, new_envelope
from shared.metrics import CASES_ACCEPTED
from shared.problems import Problem
from shared.regions import timezone_for


@dataclass(frozen=True)
class Registered:
    """The stored case and whether this call created it (False: an existing one returned)."""

    case: dict[str, Any]
    created: bool


def _natural_key(tenant: str, sub: CaseSubmission) -> dict[str, Any]:
    return {"tenant": tenant, "source": sub.source, "source_ref": sub.source_ref}


def _already_filed(existing: dict[str, Any], principal: Principal) -> Registered:
    if not may_hear_of(principal, existing):
        # Said without the case's id or anything of it: only that the reference is taken.
        raise Problem(
            409,
            "Another office system already filed a case with this source and source "
            "reference in this regency; give your own reference.",
            errors=[
                {
                    "field": "source_ref",
                    "message": "already used by another office system",
                    "code": "taken",
                }
            ],
        )
    return Registered(existing, created=False)


def register_case(
    sub: CaseSubmission,
    *,
    tenant: str,
    principal: Principal,
    now: datetime,
    correlation_id: str,
    vault: Vault | None,
    extra: dict[str, Any] | None = None,
    case_id: ObjectId | None = None,
    tracking_code: str | None = None,
    events: Sequence[Event] = (),
    source: str | None = None,
) -> Registered:
    """Store ``sub`` as a new case of ``tenant``, with its ``case.submitted`` event.

    A case with the same source and source reference in the same tenant is returned instead
    of creating a second one, also when two copies race: the unique index decides. A reporter
    identity is sealed into the vault in the same transaction as the case. ``extra`` holds
    channel-specific fields (an Open311 category hint, a citizen's evidence) stored in the same
    write. A caller that stored files for the case before it exists names its ``case_id`` and
    ``tracking_code``; ``events`` go out with ``case.submitted``, from the same write.
    ``source`` names a door that is not an office's (the public pages' own ``public``), which
    no submission may claim for itself.
    """
    source = source or sub.source
    cases = Case._get_collection()
    # No look for an earlier copy first: the unique index answers that in the insert itself,
    # and a query before every insert carrying a reference (what an office system sends to
    # make its retries safe) cost a round trip to spare the rare retry one.
    case_id = case_id or ObjectId()
    late = is_late_filing(sub, now, tz=timezone_for(tenant))
    reporter = sub.reporter
    identity: dict[str, Any] | None = None
    reporter_view: dict[str, Any] = {"anonymous": True, "confidential": True, "pseudonym": None}
    if reporter is not None and not reporter.anonymous:
        if vault is None:
            raise Problem(
                503,
                "This server cannot store reporter identities yet (no vault key is configured). "
                "File the report as anonymous, or ask the operator to set PANTAU_VAULT_KEY.",
            )
        identity = {"name": reporter.name, "phone": reporter.phone, "email": reporter.email}
        reporter_view = {
            "anonymous": False,
            "confidential": reporter.confidential,
            "pseudonym": new_pseudonym(),
        }
    doc: dict[str, Any] = {
        "_id": case_id,
        "tenant": tenant,
        "tracking_code": tracking_code or new_tracking_code(),
        "source": source,
        "title": sub.title,
        "description": sub.description,
        "occurred_at": sub.occurred_at,
        "known_at": sub.known_at,
        "submitted_at": now,
        "updated_at": now,
        "location": sub.location.model_dump(),
        "accused": [a.model_dump() for a in sub.accused],
        "evidence_urls": list(sub.evidence_urls),
        "witnesses": [w.model_dump() for w in sub.witnesses],
        "reporter": reporter_view,
        "late_filing": late,
        "status": "received",
        **queue_keys(None, None),
        "submitted_by": {"key": principal.key_prefix, "name": principal.name},
        "triage": {},
        "timeline": [
            {
                "at": now,
                "kind": "submitted",
                "summary": "Kasus diterima"
                + (" (dilaporkan lewat dari 7 hari sejak diketahui)" if late else ""),
                "actor": principal.name,
                "late_filing": late,
            }
        ],
        "processed_events": [],
    }
    if sub.source_ref:
        doc["source_ref"] = sub.source_ref
    for name, value in (extra or {}).items():
        doc.setdefault(name, value)  # never overrides what the case itself says
    event = CaseSubmitted(
        case_id=str(case_id),
        tracking_code=doc["tracking_code"],
        source=source,
        source_ref=sub.source_ref,
        title=sub.title,
        description=sub.description,
        occurred_at=sub.occurred_at,
        known_at=sub.known_at,
        submitted_at=now,
        location=sub.location.text,
        accused=[
            AccusedRef(
                name=a.name,
                nip=a.nip,
                employment_type=a.employment_type,
                agency=a.agency,
                position=a.position,
            )
            for a in sub.accused
        ],
        evidence_urls=list(sub.evidence_urls),
        late_filing=late,
    )
    envelopes = [
        new_envelope(e, tenant=tenant, correlation_id=correlation_id, occurred_at=now)
        for e in (event, *events)
    ]
    doc.update(outbox.fields(envelopes, now))
    try:
        if identity is None or vault is None:
            cases.insert_one(doc)
        else:
            sealed = {
                "_id": case_id,
                "tenant": tenant,
                "created_at": now,
                **vault.seal(identity, str(case_id)),
            }
            vault_records = ReporterRecord._get_collection()

            def write(session: ClientSession) -> None:
                vault_records.insert_one(sealed, session=session)
                cases.insert_one(doc, session=session)

            with cases.database.client.start_session() as session:
                session.with_transaction(write)
    except DuplicateKeyError:
        ours = cases.find_one({"_id": case_id})
        if ours is not None:
            # An earlier attempt of the same request (its Idempotency-Key reserved this id)
            # stored the case before the database failed over: that case is the answer.
            return Registered(ours, created=True)
        existing = cases.find_one(_natural_key(tenant, sub)) if sub.source_ref else None
        if existing is None:
            # Not the natural key (a tracking-code collision, about 2^-78): let the client
            # retry rather than store a case whose event names another code.
            raise
        return _already_filed(existing, principal)
    # Counted here, so every door a case comes in through (API, batch, Open311) is counted.
    CASES_ACCEPTED.labels(tenant=tenant, source=source).inc()
    return Registered(doc, created=True)
