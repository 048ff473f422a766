"""The console's own static files, addressed with the release in the URL so that browsers
keep them for a day and still fetch a new release at once."""

from __future__ import annotations

from flask import Flask, url_for


def install(app: Flask, version: str) -> None:
    def asset(path: str) -> str:
        return url_for("static", filename=path, v=version)

    app.jinja_env.globals["asset"] = asset
