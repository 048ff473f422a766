"""The proposal's part of the triage rules: how the rules' and the model's readings combine.

Three things, kept as data so the task force can read and change them (the ``proposal``
section of the taxonomy; the figures are tuned in cross-validation over the shipped examples,
docs/benchmarks.md):

- the principal act: when a report describes several acts, the one a neutrality task force
  files it under (state facilities used for a campaign are FASILITAS, a doctored picture is
  HOAKS wherever it was posted);
- when another act counts as a secondary category;
- what makes a report election talk with no breach: LAINNYA, flagged for an officer.

An act counts as seen when the rules' phrases for it score at least ``rules_score`` and the
model ranks it no more than ``model_gap`` behind its first choice (decision-function units):
both readings have to see it, so neither a stray keyword nor a close runner-up alone moves
a proposal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.triage.domain.rules_values import (
    RulesError,
    integer,
    keys,
    mapping,
    number,
    text,
    text_list,
)

_MAX_SECONDARY = 3


@dataclass(frozen=True)
class Evidence:
    """How much both readings must see of an act for it to count."""

    rules_score: float  # the rules' phrases for the act score at least this
    model_gap: float  # the model ranks it at most this far behind its first choice


@dataclass(frozen=True)
class Precedence:
    """One line of the principal-act table: ``principal`` is filed over each of ``over``."""

    principal: str
    over: tuple[str, ...]
    reason_id: str  # why, for the explanation (Indonesian)
    reason_en: str


@dataclass(frozen=True)
class ProposalRules:
    principal_evidence: Evidence
    precedence: tuple[Precedence, ...]
    secondary_evidence: Evidence
    max_secondary: int
    # A breach both readings see is not "no breach": it wins over the model's LAINNYA.
    breach_evidence: Evidence
    election_terms: tuple[str, ...]  # phrases that say a report is about the election
    no_breach_confidence: float  # election talk with no breach is proposed at most this sure


DEFAULT_PROPOSAL = ProposalRules(
    principal_evidence=Evidence(rules_score=2.5, model_gap=0.4),
    precedence=(),
    secondary_evidence=Evidence(rules_score=3.0, model_gap=1.25),
    max_secondary=1,
    breach_evidence=Evidence(rules_score=3.0, model_gap=0.2),
    election_terms=(),
    no_breach_confidence=0.3,
)


def _evidence(value: object, path: str, default: Evidence) -> Evidence:
    if value is None:
        return default
    data = mapping(value, path)
    keys(data, path, ("rules_score", "model_gap"))
    return Evidence(
        rules_score=number(data["rules_score"], f"{path}.rules_score"),
        model_gap=number(data["model_gap"], f"{path}.model_gap"),
    )


def _code(value: object, path: str, codes: tuple[str, ...], fallback: str) -> str:
    code = text(value, path)
    if code not in codes:
        raise RulesError(path, f"unknown category code (known: {', '.join(codes)})")
    if code == fallback:
        raise RulesError(path, f"{fallback} is no act and cannot take precedence or yield it")
    return code


def _precedence(value: object, codes: tuple[str, ...], fallback: str) -> tuple[Precedence, ...]:
    path = "proposal.principal_act.precedence"
    data = mapping(value if value is not None else {}, path)
    out: list[Precedence] = []
    for principal, entry_value in data.items():
        entry_path = f"{path}.{principal}"
        _code(principal, entry_path, codes, fallback)
        entry = mapping(entry_value, entry_path)
        keys(entry, entry_path, ("over", "reason_id", "reason_en"))
        if not isinstance(entry["over"], list) or not entry["over"]:
            raise RulesError(f"{entry_path}.over", "must be a non-empty list of category codes")
        over = tuple(
            _code(item, f"{entry_path}.over[{i}]", codes, fallback)
            for i, item in enumerate(entry["over"])
        )
        if principal in over:
            raise RulesError(f"{entry_path}.over", f"{principal} cannot be filed over itself")
        out.append(
            Precedence(
                principal=principal,
                over=tuple(dict.fromkeys(over)),
                reason_id=text(entry["reason_id"], f"{entry_path}.reason_id"),
                reason_en=text(entry["reason_en"], f"{entry_path}.reason_en"),
            )
        )
    for line in out:
        for other in out:
            if other.principal in line.over and line.principal in other.over:
                raise RulesError(
                    f"{path}.{line.principal}.over",
                    f"{line.principal} and {other.principal} each take precedence over the other",
                )
    return tuple(out)


def parse_proposal(value: object, codes: tuple[str, ...], fallback: str) -> ProposalRules:
    """Validate the ``proposal`` section (optional: absent, nothing is resolved or flagged)."""
    if value is None:
        return DEFAULT_PROPOSAL
    data: Mapping[str, object] = mapping(value, "proposal")
    keys(data, "proposal", (), ("principal_act", "secondary", "no_breach"))
    principal = mapping(data.get("principal_act") or {}, "proposal.principal_act")
    keys(principal, "proposal.principal_act", (), ("evidence", "precedence"))
    secondary = mapping(data.get("secondary") or {}, "proposal.secondary")
    keys(secondary, "proposal.secondary", (), ("evidence", "max"))
    no_breach = mapping(data.get("no_breach") or {}, "proposal.no_breach")
    keys(no_breach, "proposal.no_breach", (), ("breach_evidence", "confidence", "election_terms"))
    most = integer(secondary.get("max", DEFAULT_PROPOSAL.max_secondary), "proposal.secondary.max")
    if most > _MAX_SECONDARY:
        raise RulesError("proposal.secondary.max", f"at most {_MAX_SECONDARY}")
    confidence = number(
        no_breach.get("confidence", DEFAULT_PROPOSAL.no_breach_confidence),
        "proposal.no_breach.confidence",
    )
    if confidence > 1:
        raise RulesError("proposal.no_breach.confidence", "must be between 0 and 1")
    return ProposalRules(
        principal_evidence=_evidence(
            principal.get("evidence"),
            "proposal.principal_act.evidence",
            DEFAULT_PROPOSAL.principal_evidence,
        ),
        precedence=_precedence(principal.get("precedence"), codes, fallback),
        secondary_evidence=_evidence(
            secondary.get("evidence"),
            "proposal.secondary.evidence",
            DEFAULT_PROPOSAL.secondary_evidence,
        ),
        max_secondary=most,
        breach_evidence=_evidence(
            no_breach.get("breach_evidence"),
            "proposal.no_breach.breach_evidence",
            DEFAULT_PROPOSAL.breach_evidence,
        ),
        election_terms=text_list(
            no_breach.get("election_terms", []), "proposal.no_breach.election_terms"
        ),
        no_breach_confidence=confidence,
    )
