"""The blueprints that make notify's HTTP API, in the order the app registers them; its
OpenAPI document is built from the same list."""

from __future__ import annotations

from typing import Final

from flask import Blueprint

from services.notify import api, pipeline_api

BLUEPRINTS: Final[tuple[Blueprint, ...]] = (api.bp, pipeline_api.bp)
