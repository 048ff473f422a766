"""The collections whose documents carry intake's unpublished events, named once for the
worker's relay and for the pipeline an operator reads."""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection

from services.intake.access.account_models import SignInLink
from services.intake.cases.models import Case
from services.intake.directory.models import OfficerEntry


def outbox_collections() -> list[Collection[dict[str, Any]]]:
    """Cases (case events), directory entries (officer.changed) and sign-in links (the
    account.link_issued event that mails them)."""
    return [
        Case._get_collection(),
        OfficerEntry._get_collection(),
        SignInLink._get_collection(),
    ]
