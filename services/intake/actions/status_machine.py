"""The case status machine: which status may follow which, and what each change must carry.

Pure: no database, no clock. The flow follows what regency offices and BKN actually record:

    received -> verified (formal and material checks) | rejected
    verified -> under_examination
    under_examination -> recommendation_issued (proven / not proven, sanction level)
    recommendation_issued -> awaiting_ppk (proven) | closed (not proven)
    awaiting_ppk -> sanction_imposed | closed (the PPK declined, the ASN retired, ...)

plus, from any open status, ``awaiting_info`` (the statutory clock pauses; leaving it returns
to the status the case was paused in), ``duplicate`` and ``withdrawn``; and a reopen, which
takes a closed case back to where work resumes (``under_examination`` once verified, else
``received``) and always needs a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

# Defined with the other refusals of an action; ``check`` raises them, and its callers know
# them as ``sm.IllegalTransition`` and ``sm.MissingFields``.
from services.intake.actions.errors import IllegalTransition as IllegalTransition
from services.intake.actions.errors import MissingFields as MissingFields

Status = Literal[
    "received",
    "verified",
    "rejected",
    "under_examination",
    "awaiting_info",
    "recommendation_issued",
    "awaiting_ppk",
    "sanction_imposed",
    "closed",
    "duplicate",
    "withdrawn",
]
STATUSES: tuple[Status, ...] = get_args(Status)
CLOSED: frozenset[str] = frozenset(
    {"rejected", "sanction_imposed", "closed", "duplicate", "withdrawn"}
)
SANCTION_LEVELS = ("ringan", "sedang", "berat", "ptdh", "etik")
Finding = Literal["proven", "not_proven"]

# Forward moves of the main flow; awaiting_info, duplicate, withdrawn and reopen are added by
# ``allowed_targets`` because they depend on where the case is or was.
_FORWARD: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "received": ("verified", "rejected"),
        "verified": ("under_examination", "rejected"),
        "under_examination": ("recommendation_issued",),
        "recommendation_issued": ("awaiting_ppk", "closed"),
        "awaiting_ppk": ("sanction_imposed", "closed"),
    }
)
# Where asking for more information is possible: before a finding exists.
_MAY_PAUSE = frozenset({"received", "verified", "under_examination"})
# Statuses in which the case may still be found to repeat another or be withdrawn.
_MAY_END_EARLY = frozenset({"received", "verified", "under_examination", "awaiting_info"})


@dataclass(frozen=True)
class Change:
    """What an officer asks for: the target status and the fields that justify it."""

    to: str
    reason: str | None = None
    finding: Finding | None = None
    sanction_level: str | None = None
    decision_ref: str | None = None
    duplicate_of: str | None = None


@dataclass(frozen=True)
class CaseState:
    """What the machine needs to know of a case."""

    status: str
    paused_from: str | None = None  # the status an awaiting_info case returns to
    was_verified: bool = False  # verified at some point (decides where a reopen goes)
    finding: str | None = None  # of the current recommendation


def is_closed(status: str) -> bool:
    return status in CLOSED


def reopen_target(state: CaseState) -> str:
    """Where a reopened case resumes."""
    return "under_examination" if state.was_verified else "received"


def allowed_targets(state: CaseState) -> tuple[str, ...]:
    """Every status the case may move to next, in the order an officer would read them."""
    status = state.status
    if status in CLOSED:
        return (reopen_target(state),)
    if status == "awaiting_info":
        back = state.paused_from or "received"
        return (back, "rejected", "duplicate", "withdrawn")
    targets = list(_FORWARD.get(status, ()))
    if status == "recommendation_issued":
        # A proven finding goes to the PPK; a finding of no violation closes the case.
        targets = ["awaiting_ppk"] if state.finding == "proven" else ["closed"]
    if status in _MAY_PAUSE:
        targets.append("awaiting_info")
    if status in _MAY_END_EARLY:
        targets += ["duplicate", "withdrawn"]
    return tuple(dict.fromkeys(targets))


def check(state: CaseState, change: Change) -> None:
    """Raise IllegalTransition or MissingFields unless ``change`` may be applied to ``state``."""
    allowed = allowed_targets(state)
    if change.to not in allowed:
        raise IllegalTransition(state.status, change.to, allowed)
    errors = _missing(state, change)
    if errors:
        raise MissingFields(errors)


def _missing(state: CaseState, change: Change) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    to = change.to
    reopening = state.status in CLOSED
    needs_reason = reopening or to in ("rejected", "withdrawn", "closed", "awaiting_info")
    if needs_reason and not (change.reason and change.reason.strip()):
        what = "reopening a case" if reopening else f"'{to}'"
        errors.append(("reason", f"{what} needs a reason"))
    if to == "recommendation_issued":
        if change.finding is None:
            errors.append(("finding", "a recommendation needs a finding: proven or not_proven"))
        if change.finding == "proven" and change.sanction_level is None:
            errors.append(("sanction_level", "a proven finding needs a recommended sanction level"))
    if to == "sanction_imposed":
        if change.sanction_level is None:
            errors.append(("sanction_level", "say which sanction the PPK imposed"))
        if not (change.decision_ref and change.decision_ref.strip()):
            errors.append(("decision_ref", "give the number of the PPK's decision letter"))
    if to == "duplicate" and not change.duplicate_of:
        errors.append(("duplicate_of", "name the case this one repeats"))
    if change.sanction_level is not None and change.sanction_level not in SANCTION_LEVELS:
        errors.append(("sanction_level", f"one of: {', '.join(SANCTION_LEVELS)}"))
    return errors


def next_state(state: CaseState, change: Change) -> CaseState:
    """The state after an allowed ``change`` (call ``check`` first)."""
    to = change.to
    return CaseState(
        status=to,
        paused_from=state.status if to == "awaiting_info" else None,
        was_verified=state.was_verified or to == "verified",
        finding=change.finding if to == "recommendation_issued" else state.finding,
    )
