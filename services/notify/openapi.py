"""Notify's OpenAPI 3.1 document, built from the descriptions on its views (``shared.openapi``)
and the models of what its API accepts (``request_models``) and answers (``answers``),
served at ``GET /openapi.json``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final

from flask import Flask

from services.notify.routes import BLUEPRINTS
from shared import openapi as oa

TITLE: Final = "Pantau notify"
DESCRIPTION: Final = (
    "Delivery history, officers' preferences, parked notifications and test sends. Keys are "
    "intake's API keys. Errors are application/problem+json (RFC 9457)."
)


def serve(app: Flask) -> None:
    """Serve the document at ``GET /openapi.json``."""
    oa.serve(app, title=TITLE, description=DESCRIPTION)


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The document of notify's routes, as the app serves it (built once per process)."""
    return oa.blueprint_document(BLUEPRINTS, title=TITLE, description=DESCRIPTION)
