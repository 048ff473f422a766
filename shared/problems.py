"""RFC 9457 problem details: every error a client sees is ``application/problem+json``.

No HTML error page and no stack trace ever reaches a client; unexpected failures are logged
with the request id the client is given, so an operator can find them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, Response, g, request
from pymongo.errors import ConnectionFailure, WriteConcernError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# How long a client should wait before retrying while the database is unreachable: about the
# time a replica set needs to elect a new primary or a restarted mongod to answer again.
DATABASE_RETRY_AFTER_SECONDS = 5

# Plain titles for the statuses clients meet; the detail says what to do about it.
_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid data",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class Problem(Exception):
    """An error answer; raise it anywhere in a request."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str = "about:blank",
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.type = type_
        self.errors = list(errors or [])
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def problem_response(problem: Problem) -> Response:
    """Render a problem as a response."""
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.path if request else None,
        "request_id": getattr(g, "request_id", None),
    }
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extra)
    response = Response(
        json.dumps(body, ensure_ascii=False), status=problem.status, mimetype=PROBLEM_JSON
    )
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def install(app: Flask) -> None:
    """Make every error of ``app`` a problem document."""

    @app.errorhandler(Problem)
    def _problem(exc: Problem) -> Response:
        return problem_response(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        detail = {
            404: "No resource at this address.",
            405: f"Method {request.method} is not allowed here.",
            413: "The request body is larger than this endpoint accepts.",
        }.get(status, exc.description or "")
        headers = {}
        if status == 405 and exc.get_response().headers.get("Allow"):
            headers["Allow"] = exc.get_response().headers["Allow"]
        return problem_response(Problem(status, detail, headers=headers))

    def database_503(event: str, exc: Exception, detail: str) -> Response:
        log.warning(event, extra={"path": request.path, "error": repr(exc)})
        headers = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
        return problem_response(Problem(503, detail, headers=headers))

    # ConnectionFailure covers AutoReconnect and ServerSelectionTimeoutError: the database is
    # unreachable or electing, which is temporary and not the client's fault. A 503 with
    # Retry-After makes office systems retry (with their Idempotency-Key) instead of giving
    # up on a case, as they would on a 500.
    @app.errorhandler(ConnectionFailure)
    def _database_unavailable(exc: ConnectionFailure) -> Response:
        return database_503(
            "database unavailable",
            exc,
            "The database is unavailable for a moment; nothing was stored. "
            "Retry the same request shortly.",
        )

    # A write the replica set's majority did not confirm in time (too few members up): it may
    # or may not survive, so it is not an answer the client may rely on. The same 503: the
    # retry with the same Idempotency-Key finds the case if it was kept, files it if not.
    @app.errorhandler(WriteConcernError)
    def _not_confirmed(exc: WriteConcernError) -> Response:
        return database_503(
            "write not confirmed",
            exc,
            "The database could not confirm the write in time. "
            "Retry the same request shortly, with the same Idempotency-Key.",
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error", extra={"path": request.path})
        return problem_response(
            Problem(500, "Something went wrong on our side. Quote the request id when you ask.")
        )
