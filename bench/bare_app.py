"""Ceiling (a) for intake: a bare Flask JSON endpoint under the same gunicorn settings, no I/O."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue


def create_app() -> Flask:
    app = Flask("bare")

    @app.post("/v1/cases")
    def accept() -> ResponseReturnValue:
        payload = request.get_json(force=True)
        return jsonify(received=len(payload)), 201

    return app
