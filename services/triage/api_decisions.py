"""Triage decisions over HTTP: read and explain, history, override, dry-run, clusters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from services.triage import decision_openapi as answers
from services.triage.api_access import (
    decision_json,
    plain,
    region_param,
    triage_deps,
    visible_state,
)
from services.triage.api_clocks import working_days_left
from services.triage.decide import CaseInput, decide, dedup_facts, with_load
from services.triage.domain.classifier import FLAG_EMPTY, FLAG_TRUNCATED, FLAG_UNREADABLE
from services.triage.domain.rules import CATEGORY_CODES, PRIORITIES, SANCTION_LEVELS
from services.triage.domain.sla import status as clock_status
from services.triage.overrides import CaseNotFound, Override, apply_override
from services.triage.storage.dedup_facts import clusters_of, find_candidates
from services.triage.storage.state_codec import clock_from_doc
from shared.auth import MANAGERS, READERS, Principal, current_principal, requires
from shared.contracts import AccusedRef, EmploymentType
from shared.openapi import operation, path_parameter
from shared.problems import Problem
from shared.request_input import parse_body, parse_query

bp = Blueprint("triage_decisions", __name__)

# The same limits intake puts on a submission: a dry run answers for what could be filed.
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_URLS = 20
MAX_ACCUSED = 20
MAX_REASON = 2_000
MAX_CLUSTER_DAYS = 180
_DUE_SOON = timedelta(hours=24)

_WARNINGS = {
    FLAG_UNREADABLE: (
        "The text was not recognised as Indonesian: no category can be proposed, "
        "so the case would go to LAINNYA for an officer to review."
    ),
    FLAG_EMPTY: "The text holds no words to classify.",
    FLAG_TRUNCATED: "The text is very long; only its beginning was read.",
}


# The OpenAPI parts the operations share.
_CASE_ID = path_parameter("case_id", "The case's id in intake.")
_WRITE = (400, 401, 403, 404, 413, 415, 422, 503)
_NOT_VISIBLE = "No triaged case with this id in your region."
_NO_REGION = "No such region for this key."


def _by(principal: Principal) -> tuple[str, str]:
    return principal.name, principal.key_prefix


# --- reading a decision ------------------------------------------------------------------------


@bp.get("/v1/cases/<case_id>/triage")
@operation(
    summary="The decision in force for a case, why, its clock and assignment",
    parameters=[_CASE_ID],
    answers={200: (answers.TriageView, "The decision and its context.")},
    problems=(401, 403, 404, 503),
    texts={404: _NOT_VISIBLE},
)
@requires(*READERS)
def get_decision(case_id: str) -> ResponseReturnValue:
    """The decision in force for a case, why it was made, its clock, assignment and links."""
    state = visible_state(case_id, current_principal())
    deps = triage_deps()
    decision = deps.decisions.find_one({"_id": state["decision_id"]})
    if decision is None:
        raise Problem(404, "No triaged case with this id.")
    clock = clock_from_doc(state["clock"])
    now = deps.clock()
    return jsonify(
        case_id=case_id,
        region_code=state["tenant"],
        status=state.get("status"),
        open=state.get("open", True),
        decision=decision_json(decision),
        explanation=decision.get("explanation"),
        override=plain(state.get("override")),
        late_filing=bool(state.get("late_filing")),
        clock={
            "stage": clock.stage,
            "unit": clock.unit,
            "zone": clock.zone,
            "started_at": clock.started_at.isoformat(),
            "deadline": clock.deadline.isoformat(),
            "paused": clock.is_paused,
            "stopped": clock.is_stopped,
            "paused_days": clock.paused_days,
            "status": clock_status(clock, now, _DUE_SOON),
            "working_days_left": working_days_left(deps, state["tenant"], now, clock.deadline),
            "history": plain([e.__dict__ for e in clock.history]),
        },
        past_clocks=plain(state.get("past_clocks", [])),
        assignment=plain(state.get("assignment")),
        duplicate_of=state.get("duplicate_of"),
        links=plain(state.get("links", [])),
        ladder={
            "fired_steps": list(state.get("fired_steps", [])),
            "next_wakeup": plain(state.get("next_wakeup")),
        },
    )


@bp.get("/v1/cases/<case_id>/triage/history")
@operation(
    summary="Every decision made for a case, each with its rules version",
    parameters=[_CASE_ID],
    answers={200: (answers.TriageHistory, "Oldest first.")},
    problems=(401, 403, 404, 503),
    texts={404: _NOT_VISIBLE},
)
@requires(*READERS)
def get_history(case_id: str) -> ResponseReturnValue:
    """Every decision made for a case, oldest first, each with its rules version."""
    state = visible_state(case_id, current_principal())
    docs = (
        triage_deps()
        .decisions.find({"tenant": state["tenant"], "case_id": case_id})
        .sort("created_at", 1)
    )
    return jsonify(case_id=case_id, decisions=[decision_json(d) for d in docs])


# --- override ----------------------------------------------------------------------------------


class OverrideBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=MAX_REASON)
    category: Literal[CATEGORY_CODES] | None = None  # type: ignore[valid-type]
    priority: Literal[PRIORITIES] | None = None  # type: ignore[valid-type]
    sanction_level: Literal[SANCTION_LEVELS] | None = None  # type: ignore[valid-type]
    not_duplicate: bool = False

    @field_validator("reason")
    @classmethod
    def _meaningful(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why the proposal is overridden")
        return value.strip()


@bp.post("/v1/cases/<case_id>/triage/override")
@operation(
    summary="Replace the proposal with an officer's decision (who and why kept)",
    parameters=[_CASE_ID],
    body=OverrideBody,
    answers={201: (answers.Decision, "The new decision in force.")},
    problems=_WRITE,
    texts={404: _NOT_VISIBLE},
)
@requires(*MANAGERS)
def override_decision(case_id: str) -> ResponseReturnValue:
    """Replace the proposal with an officer's decision; who and why are recorded."""
    principal = current_principal()
    visible_state(case_id, principal)
    body = parse_body(OverrideBody, detail="The override needs correcting; see 'errors'.")
    if not (body.category or body.priority or body.sanction_level or body.not_duplicate):
        raise Problem(
            422,
            "Say what to change: category, priority, sanction_level or not_duplicate.",
            errors=[{"field": "", "message": "nothing to change", "code": "empty"}],
        )
    name, key = _by(principal)
    try:
        doc = apply_override(
            triage_deps(),
            case_id,
            Override(
                reason=body.reason,
                category=body.category,
                priority=body.priority,
                sanction_level=body.sanction_level,
                not_duplicate=body.not_duplicate,
            ),
            by=name,
            by_key=key,
            correlation_id=g.request_id,
            by_officer=principal.officer_id,
        )
    except CaseNotFound as exc:
        raise Problem(404, "No triaged case with this id.") from exc
    response = jsonify(decision_json(doc))
    response.status_code = 201
    return response


# --- dry run -----------------------------------------------------------------------------------


class DryRunAccused(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    nip: str | None = Field(default=None, max_length=32)
    employment_type: EmploymentType = "PNS"
    agency: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)


class DryRunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=MAX_TITLE)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    evidence_urls: list[str] = Field(default_factory=list, max_length=MAX_URLS)
    accused: list[DryRunAccused] = Field(default_factory=list, max_length=MAX_ACCUSED)
    region_code: str | None = None
    source: str = Field(default="public_report", max_length=50)
    known_at: AwareDatetime | None = None

    @field_validator("known_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        # 0001-01-01T00:00+14:00 is valid ISO 8601 but has no UTC equivalent: a 422, not a 500.
        try:
            return value.astimezone(UTC) if value is not None else None
        except OverflowError as exc:
            raise ValueError("out of the range of dates") from exc


def _dry_run_region(principal: Principal, requested: str | None) -> str:
    if requested is None:
        if principal.is_provincial:
            raise Problem(
                422,
                "A provincial key must name the regency to triage for.",
                errors=[{"field": "region_code", "message": "required", "code": "missing"}],
            )
        return principal.region
    region = region_param(requested)
    if region.is_province:
        raise Problem(
            422,
            "Name a regency or city, not a province.",
            errors=[{"field": "region_code", "message": "a province code", "code": "region"}],
        )
    if not principal.can_see(region.code):
        raise Problem(404, "No such region for this key.")
    return region.code


@bp.post("/v1/triage/dry-run")
@operation(
    summary="Triage a text as if it were submitted now; nothing is stored",
    body=DryRunBody,
    answers={200: (answers.DryRunResult, "What triage would decide.")},
    problems=_WRITE,
    texts={
        404: _NO_REGION,
        403: "Only those who read cases: officers, supervisors, operators and auditors.",
    },
)
# Not submitters: the answer names the region's real cases a text would duplicate (their
# ids), the officer it would be routed to and who recused, which an office system's key
# must not learn by sending made-up texts; and triage's proposal is the officers' to read.
@requires(*READERS)
def dry_run() -> ResponseReturnValue:
    """Triage a text as if it were submitted now, storing nothing."""
    principal = current_principal()
    body = parse_body(DryRunBody, detail="The text to triage needs correcting; see 'errors'.")
    if not (body.title.strip() or body.description.strip()):
        raise Problem(
            422,
            "There is no text to triage: give a title or a description.",
            errors=[{"field": "description", "message": "empty", "code": "empty"}],
        )
    tenant = _dry_run_region(principal, body.region_code)
    deps = triage_deps()
    now = deps.clock()
    config = deps.config.current(tenant)
    case = CaseInput(
        case_id="dry-run",
        tenant=tenant,
        tracking_code="",
        title=body.title,
        description=body.description,
        evidence_urls=tuple(body.evidence_urls),
        accused=tuple(
            AccusedRef(
                name=a.name,
                nip=a.nip,
                employment_type=a.employment_type,
                agency=a.agency,
                position=a.position,
            )
            for a in body.accused
        ),
        source=body.source,
        submitted_at=now,
        known_at=min(body.known_at.astimezone(UTC), now) if body.known_at else now,
    )
    decision = decide(
        case,
        config=config,
        officers=with_load(config.officers, deps.open_load(tenant)),
        calendar=deps.calendar(config, now),
        now=now,
        candidates=find_candidates(deps.facts, dedup_facts(case), config=deps.dedup),
        dedup=deps.dedup,
    )
    c, w, r = decision.classification, decision.weight, decision.routing
    return jsonify(
        stored=False,
        region_code=tenant,
        category=c.category,
        label=c.label_id,
        label_en=c.label_en,
        secondary=list(c.secondary),
        confidence=c.confidence,
        needs_review=c.needs_review,
        flags=list(c.flags),
        warnings=[_WARNINGS[f] for f in c.flags if f in _WARNINGS],
        reasons=[plain(reason.__dict__) for reason in c.reasons],
        sanction_level=w.sanction_level,
        priority=w.priority,
        priority_reasons=list(w.reasons),
        stage=decision.clock.stage,
        due_at=decision.clock.deadline.isoformat(),
        late_filing=decision.late_filing,
        duplicate_of=decision.duplicate_of,
        matches=[plain(m.__dict__) for m in decision.matches],
        routing=(
            {
                "unit": r.unit,
                "officer_id": r.officer_id,
                "to_province": r.to_province,
                "recusals": [plain(x.__dict__) for x in r.recusals],
                "reasons": list(r.reasons),
            }
            if r
            else None
        ),
        explanation=decision.explanation(),
        explanation_en=c.explain("en"),
        rules_version=c.rules_version,
        config_versions=config.version_record(),
    )


# --- province clusters -------------------------------------------------------------------------


def _given(values: object) -> object:
    # ?category= (empty) filters nothing, as a form with no box ticked sends it.
    return [v for v in values if v] if isinstance(values, list) else values


class ClustersQuery(BaseModel):
    days: int = Field(default=30, ge=1, le=MAX_CLUSTER_DAYS, description="How far back to look.")
    category: Annotated[
        list[Literal[CATEGORY_CODES]],  # type: ignore[valid-type]
        BeforeValidator(_given),
    ] = Field(default_factory=list, description="Only these categories (repeat the parameter).")


@bp.get("/v1/provinces/<province>/clusters")
@operation(
    summary="The same hoax reported in several regencies (provincial keys)",
    parameters=[path_parameter("province", "A province code, e.g. 12 (Sumatera Utara).")],
    query=ClustersQuery,
    answers={200: (answers.ProvinceClusters, "Clusters, largest first.")},
    problems=(401, 403, 404, 422, 503),
    texts={404: "No such province for this key (or not a provincial key)."},
)
@requires(*READERS)
def province_clusters(province: str) -> ResponseReturnValue:
    """The same hoax reported in several regencies of a province (provincial keys only)."""
    principal = current_principal()
    region = region_param(province)
    if not region.is_province or not principal.is_provincial or not principal.can_see(region.code):
        raise Problem(404, "No such province for this key.")
    query = parse_query(ClustersQuery)
    deps = triage_deps()
    since = deps.clock() - timedelta(days=query.days)
    clusters, members = clusters_of(deps.facts, region.code, since, deps.dedup, query.category)
    out: list[dict[str, Any]] = [
        {
            "key": cluster.key,
            "regions": list(cluster.tenants),
            "cases": [
                {"case_id": case_id, **plain(members.get(case_id, {}))}
                for case_id in cluster.case_ids
            ],
        }
        for cluster in clusters
    ]
    return jsonify(province=region.code, since=since.isoformat(), clusters=out)
