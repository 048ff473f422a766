"""Who is on the other side of the public pages: the sender per-address limits count, and how
the reporter is named in the trail.

The console calls intake from its own address for every citizen; it names the citizen in
``X-Pantau-Client`` by the stand-in of their address (``shared/client_stand_ins.py``), so
intake never learns where a citizen wrote from. Only a request made with the public key may
name it: anyone else could otherwise pick the sender their requests are counted under, and
is counted by the stand-in of its own address, under intake's key.
"""

from __future__ import annotations

from typing import Final

from flask import request

from services.intake.deps import deps
from shared import client_stand_ins
from shared.auth import Principal, current_principal
from shared.problems import Problem

CLIENT_HEADER: Final = client_stand_ins.HEADER
# How the reporter appears on the timeline, in the audit trail and on evidence: a role, never
# a person (a confidential reporter's identity stays in the vault).
REPORTER_NAME: Final = "Pelapor"
# The header as the OpenAPI document describes it.
CLIENT_PARAMETER: Final = {
    "name": CLIENT_HEADER,
    "in": "header",
    "required": False,
    "description": "The citizen, as the public pages count them: a keyed hash of their "
    "network address (32 hex digits), never the address itself. Trusted from the public key "
    "only, ignored from anyone else.",
    "schema": {"type": "string", "pattern": f"^[0-9a-f]{{{client_stand_ins.LENGTH}}}$"},
}


def client_stand_in(principal: Principal | None) -> str:
    """The sender per-address limits count: the citizen the public pages name, or the stand-in
    of the caller's own address."""
    if principal is not None and principal.role == "public":
        named = request.headers.get(CLIENT_HEADER, "").strip()
        if client_stand_ins.is_stand_in(named):
            return named
    return client_stand_ins.stand_in(request.remote_addr or "unknown", deps().client_key)


def optional_principal() -> Principal | None:
    """The caller of a route open to anyone, when they sent a key that intake knows."""
    if not request.headers.get("Authorization"):
        return None
    try:
        return current_principal()
    except Problem:
        return None


def reporter(principal: Principal, tenant: str) -> Principal:
    """The reporter acting through the public pages on a case of ``tenant``.

    The public key serves every regency of the deployment; the reporter it acts for is
    scoped to the one case's regency, and named by role only.
    """
    return Principal(
        key_prefix=principal.key_prefix,
        name=REPORTER_NAME,
        region=tenant,
        role=principal.role,
        kind="reporter",
    )
