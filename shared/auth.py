"""Who is calling, and what their role lets them do — the same rules in every service.

Intake owns the API keys and checks them against its own collection. Triage and notify never
read that collection: they ask intake (``GET /v1/auth/whoami``) and keep the answer for a few
seconds, so a revoked key stops working there within that time and at once in intake.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import requests
from flask import current_app, g, request

from shared.problems import Problem

# People and office systems, then the console's two service roles: ``console`` signs people
# in (and can read no case), ``public`` files citizens' reports and answers reporters.
ROLES = ("submitter", "officer", "supervisor", "operator", "auditor", "console", "public")

# Who may do what, named once for every service's routes (``@requires(*READERS)``).
# Any office system or person: reading cases, a submitter only those its key filed and only
# what the reporter is shown (intake's cases/readers.py decides). Not the console's service
# roles, which may do only their own few things.
ANYONE = ("submitter", "officer", "supervisor", "operator", "auditor")
# The console's door: signing people in, their second factor, one-time links.
DOORKEEPERS = ("console",)
# The public pages: citizens' reports and reporters' answers, nothing else.
PUBLIC = ("public",)
# Those who file cases: office systems and staff, and the people who manage them.
FILERS = ("submitter", "supervisor", "operator")
# Those who file or work cases: they add evidence to a case.
CONTRIBUTORS = ("submitter", "officer", "supervisor", "operator")
# Those who work cases: officers' actions, their notification preferences.
STAFF = ("officer", "supervisor", "operator")
# Those who examine cases without filing them: evidence, exports, triage decisions and its
# dry run, delivery history, a directory entry.
READERS = ("officer", "supervisor", "operator", "auditor")
# Those who oversee a region: audit trails, statistics, the officer directory.
OVERSEERS = ("supervisor", "operator", "auditor")
# Those who manage a region: reopen, reassign and transfer cases, the directory and the
# triage configuration, overrides of triage's proposals.
MANAGERS = ("supervisor", "operator")
# Those who check who did what: the access log, the list of keys.
AUDITORS = ("operator", "auditor")
# The province's administrators: keys, parked notifications, test sends.
OPERATORS = ("operator",)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    """The caller: the key's name, its region (a regency, or a province) and role, and the
    officer (directory id) the key belongs to, when it is a person's. ``kind`` is ``key`` for
    an API key and ``session`` for a person signed in to the console."""

    key_prefix: str
    name: str
    region: str
    role: str
    officer_id: str | None = None
    kind: str = "key"

    @property
    def is_provincial(self) -> bool:
        return "." not in self.region

    def can_see(self, tenant: str) -> bool:
        """Whether this principal may see data of ``tenant``."""
        return tenant == self.region or (
            self.is_provincial and tenant.startswith(self.region + ".")
        )

    def as_dict(self) -> dict[str, str]:
        out = {
            "key_prefix": self.key_prefix,
            "name": self.name,
            "region": self.region,
            "role": self.role,
            "kind": self.kind,
        }
        if self.officer_id is not None:
            out["officer_id"] = self.officer_id
        return out


Authenticator = Callable[[str], Principal | None]


def current_principal() -> Principal:
    """The caller of this request, authenticated once with the app's authenticator."""
    cached: Principal | None = g.get("principal")
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(
            401,
            "Send your office's API key as 'Authorization: Bearer <key>'.",
            headers={"WWW-Authenticate": 'Bearer realm="pantau"'},
        )
    authenticate: Authenticator = current_app.config["PANTAU_AUTHENTICATE"]
    principal = authenticate(token.strip())
    if principal is None:
        raise Problem(
            401,
            "This API key is unknown or has been revoked.",
            headers={"WWW-Authenticate": 'Bearer realm="pantau", error="invalid_token"'},
        )
    g.principal = principal
    return principal


def requires(*roles: str) -> Callable[[F], F]:
    """Allow the view only to the given roles (authentication is implied)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal.role not in roles:
                raise Problem(
                    403,
                    f"The role '{principal.role}' may not do this; allowed: {', '.join(roles)}.",
                )
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


class RemoteAuthenticator:
    """Asks intake who a token belongs to, remembering answers for ``ttl`` seconds."""

    def __init__(self, intake_url: str, ttl: float = 5.0, timeout: float = 3.0) -> None:
        self.url = intake_url.rstrip("/") + "/v1/auth/whoami"
        self.ttl = ttl
        self.timeout = timeout
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()
        self._session = requests.Session()

    def __call__(self, token: str) -> Principal | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(token)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            answer = self._session.get(
                self.url, headers={"Authorization": f"Bearer {token}"}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise Problem(
                503,
                "Cannot check the API key right now; try again shortly.",
                headers={"Retry-After": "5"},
            ) from exc
        principal: Principal | None = None
        if answer.status_code == 200:
            body = answer.json()
            principal = Principal(
                key_prefix=body["key_prefix"],
                name=body["name"],
                region=body["region"],
                role=body["role"],
                officer_id=body.get("officer_id"),
                kind=body.get("kind", "key"),
            )
        elif answer.status_code != 401:
            raise Problem(503, "Cannot check the API key right now; try again shortly.")
        with self._lock:
            if len(self._cache) > 10_000:  # bounded: old entries go first
                self._cache.clear()
            self._cache[token] = (now + self.ttl, principal)
        return principal
