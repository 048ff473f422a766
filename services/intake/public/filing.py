"""Filing a citizen's report: its evidence files and the case, stored together or not at all.

The order matters for a citizen on a weak connection who presses "send" again: files are
recognised, cleaned (EXIF and GPS removed) and written first, under the case id the case
will have; then the case is written in one write with its evidence entries, its events and,
for a confidential report, the sealed identity. If that write fails, the files are deleted
again, so a failed sending leaves nothing behind, and the Idempotency-Key makes the resend
file the case once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bson import ObjectId

from services.intake.cases.schemas import Accused, CaseSubmission
from services.intake.cases.submission import Registered, register_case
from services.intake.cases.tracking import new_tracking_code
from services.intake.evidence import store as evidence
from services.intake.open311.mapping import title_from
from services.intake.public.schemas import PublicPerson, PublicReport
from shared.auth import Principal
from shared.contracts import Event, ReceiptRequested
from shared.formats import EmploymentType, FormatError, parse_nip
from shared.problems import Problem
from shared.regions import timezone_for
from shared.sealed_contacts import Contact, ContactSeal

SOURCE = "public"


def employment_of(person: PublicPerson, today: date) -> EmploymentType:
    """The status a person is filed under when the citizen did not say.

    Neutrality rules are about ASN, and triage weighs PNS and PPPK alike; a NIP that is a
    valid PNS number says PNS, any other 18-digit number is an NI PPPK.
    """
    if person.employment_type is not None:
        return person.employment_type
    if person.nip is None:
        return "PNS"
    try:
        parse_nip(person.nip, today)
    except FormatError:
        return "PPPK"
    return "PNS"


def as_submission(report: PublicReport, now: datetime) -> CaseSubmission:
    """The case a report becomes, in the shape every other door files.

    Built, not validated again: ``PublicReport`` checked every field already, and a citizen's
    report may name nobody or a person without a name, which an office's submission may not.
    It is a report from the public (``public_report``); the case is stored under the public
    pages' own source (``SOURCE``), which ``register_case`` is told.
    """
    today = now.astimezone(timezone_for(report.region_code)).date()
    people = [
        Accused.model_construct(
            name=p.name or "",
            employment_type=employment_of(p, today),
            nip=p.nip,
            agency=p.agency,
            position=p.position,
        )
        for p in report.people
    ]
    return CaseSubmission.model_construct(
        source="public_report",
        source_ref=None,
        title=report.title or title_from(report.description),
        description=report.description,
        occurred_at=report.moment(report.occurred_on),
        known_at=report.moment(report.known_on),
        location=report.location,
        accused=people,
        reporter=report.reporter,
        evidence_urls=list(report.evidence_urls),
        witnesses=[],
        region_code=report.region_code,
    )


def receipt_for(
    report: PublicReport, case_id: str, code: str, seal: ContactSeal | None
) -> ReceiptRequested | None:
    """The receipt of the tracking code, when the reporter gave an address to send it to
    and this server can seal it for notify (no receipt key: the code is on their screen)."""
    reporter = report.reporter
    if reporter.anonymous or not (reporter.email or reporter.phone) or seal is None:
        return None
    return ReceiptRequested(
        case_id=case_id,
        tracking_code=code,
        contact=seal.seal(Contact(email=reporter.email, phone=reporter.phone), case_id),
        language=report.language,
    )


def file_report(
    report: PublicReport,
    uploads: Sequence[evidence.Upload],
    *,
    principal: Principal,
    now: datetime,
    correlation_id: str,
    vault: Any,
    seal: ContactSeal | None,
    limits: evidence.Limits,
) -> tuple[Registered, bool]:
    """Store the report and its files; the stored case and whether a receipt was asked for.

    Raises a Problem (nothing stored) when a file is refused or the identity cannot be kept.
    """
    if not report.reporter.anonymous and vault is None:
        raise Problem(
            503,
            "This server cannot keep a reporter's identity yet (no vault key is configured).",
            headers={"Retry-After": "60"},
        )
    tenant = report.region_code
    case_id = ObjectId()
    code = new_tracking_code()
    staged = evidence.stage(
        {"_id": case_id, "tenant": tenant, "evidence": []},
        uploads,
        principal=principal,
        now=now,
        limits=limits,
        neutral_names=True,
    )
    receipt = receipt_for(report, str(case_id), code, seal)
    events: list[Event] = [receipt] if receipt is not None else []
    extra: dict[str, Any] = {"unverified": True}
    if staged.entries:
        extra["evidence"] = staged.entries
    try:
        registered = register_case(
            as_submission(report, now),
            tenant=tenant,
            principal=principal,
            now=now,
            correlation_id=correlation_id,
            vault=vault,
            extra=extra,
            case_id=case_id,
            tracking_code=code,
            events=events,
            source=SOURCE,
        )
    except BaseException:
        evidence.discard(staged)
        raise
    return registered, receipt is not None
