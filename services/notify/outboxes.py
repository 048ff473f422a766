"""The collections whose documents carry notify's unpublished events, named once for the
worker's relay and for the pipeline an operator reads."""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection

from services.notify.models import Delivery


def outbox_collections() -> list[Collection[dict[str, Any]]]:
    """Ledger entries: each carries the notification.sent or .failed of its delivery."""
    return [Delivery._get_collection()]
