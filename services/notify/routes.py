"""The blueprints that make notify's HTTP API, in the order the app registers them; its
OpenAPI document is built from the same list."""

from __future__ import annotations

from typing import Final

from flask import Blueprint

from services.notify import api
from services.notify.bootstrap import SERVICE
from services.notify.outboxes import outbox_collections
from shared.operations_api import operations_blueprint

# Notify's parked notifications and digests have their own routes in ``api``.
BLUEPRINTS: Final[tuple[Blueprint, ...]] = (
    api.bp,
    operations_blueprint(SERVICE, outbox_collections, parked=False),
)
