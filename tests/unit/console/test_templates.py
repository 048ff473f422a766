"""Every console template compiles, and every page it links to exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from pydantic import SecretStr

from services.console.app import create_app
from shared.settings import Settings

TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "console" / "templates"
ENDPOINT = re.compile(r"url_for\('([a-z_]+\.[a-z_]+|[a-z_]+)'")


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(settings=Settings(console_secret=SecretStr("s" * 40)))


def test_every_template_compiles(app: Flask) -> None:
    names = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")]
    assert names
    for name in names:
        app.jinja_env.get_template(name)


def test_every_linked_page_is_a_route_of_the_console(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    linked = {
        found
        for path in TEMPLATES.rglob("*.html")
        for found in ENDPOINT.findall(path.read_text(encoding="utf-8"))
    }
    assert linked
    assert linked - endpoints == set()
