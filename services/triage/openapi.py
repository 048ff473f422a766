"""Triage's OpenAPI 3.1 document, built from the descriptions on its views (``shared.openapi``)
and the pydantic models that validate its requests and describe its answers
(``decision_openapi``, ``config_openapi``), served at ``GET /openapi.json``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final

from flask import Flask

from services.triage.routes import BLUEPRINTS
from shared import openapi as oa

TITLE: Final = "Pantau triage"
DESCRIPTION: Final = (
    "Triage decisions and their explanations, overrides, dry runs, province clusters and each "
    "regency's configuration. Keys are intake's API keys. Errors are application/problem+json "
    "(RFC 9457)."
)


def serve(app: Flask) -> None:
    """Serve the document at ``GET /openapi.json``."""
    oa.serve(app, title=TITLE, description=DESCRIPTION)


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The document of triage's routes, as the app serves it (built once per process)."""
    return oa.blueprint_document(BLUEPRINTS, title=TITLE, description=DESCRIPTION)
