"""Intake's OpenAPI 3.1 document, built from the descriptions on its views (``shared.openapi``)
and the pydantic models that validate requests and shape answers, so the document cannot
drift from the code without a test noticing."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final

from flask import Flask

from services.intake.routes import BLUEPRINTS
from shared import openapi as oa

TITLE: Final = "Pantau intake"
DESCRIPTION: Final = (
    "The case registry regency offices submit to. Errors are application/problem+json (RFC 9457)."
)


def serve(app: Flask) -> None:
    """Serve the document at ``GET /openapi.json``."""
    oa.serve(app, title=TITLE, description=DESCRIPTION)


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The document of intake's routes, as the app serves it (built once per process)."""
    return oa.blueprint_document(BLUEPRINTS, title=TITLE, description=DESCRIPTION)
