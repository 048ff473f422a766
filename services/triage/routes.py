"""The blueprints that make triage's HTTP API, in the order the app registers them; its
OpenAPI document is built from the same list."""

from __future__ import annotations

from typing import Final

from flask import Blueprint

from services.triage import api_clocks, api_config, api_decisions, api_quality
from services.triage.api_access import triage_deps
from services.triage.bootstrap import SERVICE
from shared.operations_api import operations_blueprint

BLUEPRINTS: Final[tuple[Blueprint, ...]] = (
    api_decisions.bp,
    api_config.bp,
    api_clocks.bp,
    api_quality.bp,
    operations_blueprint(SERVICE, lambda: triage_deps().outbox_collections()),
)
