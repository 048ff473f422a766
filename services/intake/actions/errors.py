"""Why an officer's action is refused, as plain exceptions that carry what the answer needs.

The plans and the status machine raise these without knowing about HTTP; the actions API
turns each into its problem document in one place (``refusals.py``). A refused action has
stored nothing: the transaction that asked for the plan is rolled back.
"""

from __future__ import annotations

from typing import Literal

# The actions a closed case refuses until it is reopened.
ClosedFor = Literal["acknowledge", "reassign", "transfer"]


class ActionRefused(Exception):
    """An action the case does not take as it is now."""


class CaseNotFound(ActionRefused):
    """No case with this id, or none the caller may see (the two are not told apart)."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"no case {case_id}")
        self.case_id = case_id


class StaleVersion(ActionRefused):
    """The caller changed a version of the case that is no longer the current one."""

    def __init__(self, current: int, expected: int) -> None:
        super().__init__(f"case is at version {current}, the change was made on {expected}")
        self.current = current
        self.expected = expected


class IllegalTransition(ActionRefused):
    """The change is not allowed from the case's status; ``allowed`` lists what is."""

    def __init__(self, status: str, to: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"a case that is {status} cannot become {to}")
        self.status = status
        self.to = to
        self.allowed = allowed


class MissingFields(ActionRefused):
    """The change lacks what its target status needs; ``errors`` names each field."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


class CaseClosed(ActionRefused):
    """A closed case refuses ``action`` until it is reopened."""

    def __init__(self, action: ClosedFor, status: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"a closed case ({status}) refuses {action}")
        self.action = action
        self.status = status
        self.allowed = allowed


class CaseOpen(ActionRefused):
    """Only a closed case can be reopened."""

    def __init__(self, status: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"a case that is {status} is open")
        self.status = status
        self.allowed = allowed


class AlreadyAcknowledged(ActionRefused):
    """The case was acknowledged before and is not reassigned since."""

    def __init__(self) -> None:
        super().__init__("already acknowledged")


class OtherRegion(ActionRefused):
    """The officer works for another region than the one the case belongs to."""

    def __init__(self, officer_id: str, officer_region: str | None, tenant: str) -> None:
        super().__init__(f"officer {officer_id} works for {officer_region}, the case for {tenant}")
        self.officer_id = officer_id
        self.officer_region = officer_region
        self.tenant = tenant


class ConflictOfInterest(ActionRefused):
    """The officer declared a conflict with some of the case's accused people."""

    def __init__(self, officer_id: str, people: list[str]) -> None:
        super().__init__(f"officer {officer_id} declared a conflict with {', '.join(people)}")
        self.officer_id = officer_id
        self.people = people


class AlreadyAssigned(ActionRefused):
    """The case is already with this officer."""

    def __init__(self, officer_id: str) -> None:
        super().__init__(f"already assigned to {officer_id}")
        self.officer_id = officer_id


class SameRegion(ActionRefused):
    """A transfer to the region the case already belongs to."""

    def __init__(self, tenant: str) -> None:
        super().__init__(f"the case already belongs to {tenant}")
        self.tenant = tenant


class SelfDuplicate(ActionRefused):
    """A case named as a duplicate of itself."""

    def __init__(self) -> None:
        super().__init__("a case cannot duplicate itself")


class AlreadyLinked(ActionRefused):
    """The two cases are already linked as duplicates."""

    def __init__(self, other_id: str) -> None:
        super().__init__(f"already linked with {other_id}")
        self.other_id = other_id


class NotLinked(ActionRefused):
    """An unlink of a case that was never linked to this one."""

    def __init__(self, other_id: str) -> None:
        super().__init__(f"not linked with {other_id}")
        self.other_id = other_id
