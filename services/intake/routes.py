"""The blueprints that make intake's HTTP API, in the order the app registers them; its
OpenAPI document is built from the same list."""

from __future__ import annotations

from typing import Final

from flask import Blueprint

from services.intake.access import account_api, keys_api, people_api, sign_in_api, whoami_api
from services.intake.actions import api as actions_api
from services.intake.bootstrap import SERVICE
from services.intake.cases import api as cases_api
from services.intake.cases import tracking_api, workload_api
from services.intake.directory import api as directory_api
from services.intake.evidence import api as evidence_api
from services.intake.exports import api as exports_api
from services.intake.exports import statistics_api
from services.intake.open311 import api as open311_api
from services.intake.operations.outboxes import outbox_collections
from services.intake.public import api as public_api
from shared.operations_api import operations_blueprint

BLUEPRINTS: Final[tuple[Blueprint, ...]] = (
    whoami_api.bp,
    cases_api.bp,
    actions_api.bp,
    keys_api.bp,
    tracking_api.bp,
    public_api.bp,
    evidence_api.bp,
    open311_api.bp,
    exports_api.bp,
    statistics_api.bp,
    workload_api.bp,
    directory_api.bp,
    sign_in_api.bp,
    account_api.bp,
    people_api.bp,
    operations_blueprint(SERVICE, outbox_collections),
)
