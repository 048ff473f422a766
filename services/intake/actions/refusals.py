"""How a refused officer action answers over HTTP: one problem document per kind of refusal.

The plans, the status machine and the write path raise ``errors.ActionRefused`` and know
nothing of HTTP; the actions API renders them through ``problem_for``. The status, the detail
and the extra fields (``allowed``, ``current_status``, ``current_version``) are what clients
read to decide what to do next, so they stay as they are once published.
"""

from __future__ import annotations

from services.intake.actions import errors
from shared.problems import Problem

# How each closed-case refusal ends its sentence.
_CLOSED_FOR: dict[errors.ClosedFor, str] = {
    "acknowledge": "needs no acknowledgement.",
    "reassign": "cannot be reassigned; reopen it first.",
    "transfer": "cannot be transferred; reopen it first.",
}


def problem_for(refused: errors.ActionRefused) -> Problem:
    """The answer to ``refused``."""
    match refused:
        case errors.CaseNotFound():
            return Problem(404, "No case with this id.")
        case errors.StaleVersion(current=current, expected=expected):
            return Problem(
                409,
                f"The case changed since you read it (you sent version {expected}, it is now "
                f"at {current}). Reload it, check what changed, and try again.",
                errors=[
                    {
                        "field": "version",
                        "message": f"current version is {current}",
                        "code": "stale",
                    }
                ],
                extra={"current_version": current},
            )
        case errors.IllegalTransition(status=status, to=to, allowed=allowed):
            return Problem(
                409,
                f"A case that is '{status}' cannot become '{to}'. "
                f"Allowed now: {', '.join(allowed) or 'nothing'}.",
                errors=[
                    {"field": "status", "message": "not allowed from here", "code": "transition"}
                ],
                extra={"current_status": status, "allowed": list(allowed)},
            )
        case errors.MissingFields(errors=missing):
            return Problem(
                422,
                "This change needs more details; see 'errors'.",
                errors=[{"field": f, "message": m, "code": "required"} for f, m in missing],
            )
        case errors.CaseClosed(action=action, status=status, allowed=allowed):
            return Problem(
                409,
                f"A closed case ('{status}') {_CLOSED_FOR[action]}",
                errors=[{"field": "status", "message": "case is closed", "code": "transition"}],
                extra={"current_status": status, "allowed": list(allowed)},
            )
        case errors.CaseOpen(status=status, allowed=allowed):
            return Problem(
                409,
                f"Only a closed case can be reopened; this one is '{status}'.",
                errors=[{"field": "status", "message": "case is open", "code": "transition"}],
                extra={"current_status": status, "allowed": list(allowed)},
            )
        case errors.AlreadyAcknowledged():
            return Problem(
                409,
                "This case was already acknowledged.",
                errors=[{"field": "case", "message": "already acknowledged", "code": "duplicate"}],
            )
        case errors.OtherRegion(officer_id=officer_id, officer_region=region, tenant=tenant):
            return Problem(
                422,
                f"Officer {officer_id} works for {region}, "
                f"the case belongs to {tenant}. Transfer the case first.",
                errors=[{"field": "officer_id", "message": "other region", "code": "tenant"}],
            )
        case errors.ConflictOfInterest(officer_id=officer_id, people=people):
            return Problem(
                422,
                f"Officer {officer_id} declared a conflict of interest with "
                f"{', '.join(people)} and may not handle this case.",
                errors=[
                    {"field": "officer_id", "message": "conflict of interest", "code": "conflict"}
                ],
            )
        case errors.AlreadyAssigned(officer_id=officer_id):
            return Problem(
                409,
                f"The case is already assigned to {officer_id}.",
                errors=[
                    {"field": "officer_id", "message": "already assigned", "code": "duplicate"}
                ],
            )
        case errors.SameRegion(tenant=tenant):
            return Problem(
                422,
                f"The case already belongs to {tenant}.",
                errors=[{"field": "region_code", "message": "same region", "code": "same"}],
            )
        case errors.SelfDuplicate():
            return Problem(
                422,
                "A case cannot duplicate itself.",
                errors=[{"field": "case_id", "message": "same case", "code": "same"}],
            )
        case errors.AlreadyLinked():
            return Problem(
                409,
                "The cases are already linked.",
                errors=[{"field": "case_id", "message": "already linked", "code": "duplicate"}],
            )
        case errors.NotLinked(other_id=other_id):
            return Problem(404, f"Case {other_id} is not linked to this one.")
    # A refusal added to ``errors`` without an answer here; the unit tests name it.
    return Problem(409, "This action is not possible on the case as it is now.")
