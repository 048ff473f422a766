"""Talking to the back-end services over HTTP, as the signed-in person or as the console.

The console owns no case data: every page is made of answers from intake, triage and notify,
asked with the person's session token, so the services apply tenancy, roles and versions as
they do for any client. This module turns their answers into values and their refusals into
a few exceptions the pages know how to show:

- ``NotFound`` (404, also another regency's case: the services never say which);
- ``Refused`` (400, 403, 409, 422: ``problem`` holds the problem document, with ``errors``
  naming the fields a form must mark);
- ``SignedOut`` (401: the session ended; the page sends the person to sign in again);
- ``Throttled`` (429, with the wait);
- ``ServiceDown`` (a connection error, a timeout, a 5xx: nothing was done, or nothing is
  known to have been done; the page keeps what the person typed).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import g, has_request_context, request

log = logging.getLogger(__name__)

Json = dict[str, Any]


class ServiceError(Exception):
    """Base of the ways a call can fail."""


class ServiceDown(ServiceError):
    """The service did not answer usefully (unreachable, timed out, or failed)."""

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(f"{service}: {detail}")
        self.service = service


@dataclass
class Refused(ServiceError):
    """The service refused the request; ``problem`` is its problem document."""

    status: int
    problem: Json = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}"

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail") or "")

    @property
    def reason(self) -> str | None:
        value = self.problem.get("reason")
        return str(value) if value is not None else None

    def field_errors(self) -> dict[str, str]:
        """``{field: message}`` from the problem's ``errors`` (the first message per field)."""
        found: dict[str, str] = {}
        for error in self.problem.get("errors") or []:
            name = str(error.get("field") or "")
            found.setdefault(name, str(error.get("message") or ""))
        return found


class NotFound(Refused):
    """No such thing, or not in the person's area."""


class SignedOut(Refused):
    """The session is unknown, ended or expired."""


class Throttled(Refused):
    """Too many requests; ``retry_after`` seconds to wait."""

    @property
    def retry_after(self) -> int:
        return int(self.problem.get("retry_after") or 60)


@dataclass(frozen=True)
class Answer:
    """A successful answer: its status and JSON body (empty for 204)."""

    status: int
    body: Json
    headers: Mapping[str, str]


class ServiceClient:
    """One back-end service at ``base_url``; thread-safe, keeps connections alive."""

    def __init__(self, service: str, base_url: str, *, timeout: float = 10.0) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        # Connect fast or give up: a person waiting on a page should see the outage page in
        # seconds, not after a TCP timeout.
        self.timeout = (2.0, timeout)
        self._session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=16)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def call(
        self,
        method: str,
        path: str,
        token: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        files: Any = None,
        data: Any = None,
        timeout: float | None = None,
    ) -> Answer:
        """Make one request; the answer, or one of this module's exceptions. ``timeout``
        replaces the read timeout (an upload the service must clean takes longer)."""
        sent = {"Authorization": f"Bearer {token}", **_correlation(), **(headers or {})}
        try:
            response = self._session.request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                headers=sent,
                files=files,
                data=data,
                timeout=self.timeout if timeout is None else (self.timeout[0], timeout),
            )
        except requests.RequestException as exc:
            log.warning("service unreachable", extra={"service": self.service, "error": str(exc)})
            raise ServiceDown(self.service, "unreachable") from exc
        if response.status_code != 401:
            _accepted(token)
        return _answer(self.service, response)

    def stream(self, path: str, token: str) -> requests.Response:
        """A streamed GET (evidence files): the caller closes the response."""
        try:
            response = self._session.get(
                self.base_url + path,
                headers={"Authorization": f"Bearer {token}", **_correlation()},
                timeout=self.timeout,
                stream=True,
            )
        except requests.RequestException as exc:
            raise ServiceDown(self.service, "unreachable") from exc
        if response.status_code != 401:
            _accepted(token)
        if response.status_code >= 400:
            try:
                _answer(self.service, response)
            finally:
                response.close()
        return response

    def get(self, path: str, token: str, **kwargs: Any) -> Json:
        return self.call("GET", path, token, **kwargs).body

    def post(self, path: str, token: str, **kwargs: Any) -> Json:
        return self.call("POST", path, token, **kwargs).body


ACCEPTED_TOKENS = "pantau.tokens_accepted"


def _accepted(token: str) -> None:
    """Note that a service accepted ``token`` during this request (any answer but 401): the
    session is live, and the frame need not ask intake again (``web/person.py``). Kept on the
    request's environ, which the calls made together in other threads share."""
    if has_request_context():
        request.environ.setdefault(ACCEPTED_TOKENS, set()).add(token)


def tokens_accepted() -> set[str]:
    """The tokens a service accepted during this request."""
    found: set[str] = request.environ.get(ACCEPTED_TOKENS, set())
    return found


def _correlation() -> dict[str, str]:
    request_id = g.get("request_id") if has_request_context() else None
    return {"X-Request-ID": request_id} if request_id else {}


def _answer(service: str, response: requests.Response) -> Answer:
    status = response.status_code
    if status < 400:
        body: Json = {}
        if status != 204 and response.content:
            try:
                parsed = response.json()
            except ValueError as exc:
                raise ServiceDown(service, "answered something that is not JSON") from exc
            body = parsed if isinstance(parsed, dict) else {"items": parsed}
        return Answer(status, body, response.headers)
    try:
        problem = response.json()
        if not isinstance(problem, dict):
            problem = {}
    except ValueError:
        problem = {}
    if status >= 500:
        raise ServiceDown(service, f"answered {status}")
    if status == 401:
        raise SignedOut(status, problem)
    if status == 404:
        raise NotFound(status, problem)
    if status == 429:
        problem.setdefault("retry_after", response.headers.get("Retry-After", "60"))
        raise Throttled(status, problem)
    raise Refused(status, problem)
